"""Retraining the learned layer's heads from local copies of public labelled sets.

Run as `python -m chatbot.model.training [--data DIR] [--no-nc] [--out PATH]`. The sets and how
each is read and mapped are in `chatbot/model/manifest.yaml`; their text is never committed, so
the pipeline reads clones a maintainer makes (see the manifest's header). Nothing here runs when
checkpost checks a draft: it needs the `train` extra (scikit-learn, openpyxl).
"""
