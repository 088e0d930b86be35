"""Writes of the monitoring app, split by concept (dependencies point down this list):

- ``maintenance``: whether a check is in a maintenance window now;
- ``alerts``: escalation steps, their messages (e-mail/SMS through notifications, webhooks),
  once per step;
- ``incidents``: open (with dependency and maintenance suppression), resolve, acknowledge;
- ``state``: a result or a ping moves a check's counters and state (thresholds);
- ``probes`` and ``runner``: claiming due checks and running them concurrently;
- ``heartbeats``: pings and the sweep that makes silent heartbeats late, then down;
- ``checks``: create, change, pause, resume and delete checks (``actor=`` checked);
- ``rules``: contact rules with their steps, and the alert texts (managers);
- ``windows``: maintenance windows (managers);
- ``rotas``: on-call shifts (managers); ``groups``: application groups (managers);
- ``rollup``: daily uptime and retention; ``selfwatch``: the portal's own checks.
"""
