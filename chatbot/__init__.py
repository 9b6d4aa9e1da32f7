"""checkpost: check social-media drafts against an organisation's policy, route them to comms."""

__version__ = "0.1.0"
