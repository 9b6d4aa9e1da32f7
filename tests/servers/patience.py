"""How long a test waits for a condition before it fails.

Long on purpose: a condition that holds returns at once, so only a failing test pays for the
bound, while a loaded machine needs it (measured here: load average 14-21 on two cores made a
restarted `chatbot serve` take over 30 s to answer /healthz and a check over 10 s to post).
"""

WAIT = 60.0  # a Web API call, an acknowledgement, a row, a log line
START = 120.0  # a process or a server coming up
