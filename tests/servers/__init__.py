"""Real local servers that tests talk to over HTTP, in place of the services checkpost uses."""
