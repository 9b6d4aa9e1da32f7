"""Rules as data: the model, the YAML loader, text normalisation and the matching engine."""
