"""Loaded by Python at start-up because the acceptance suite puts this folder on the kiosk's PYTHONPATH.

It starts the journey agent (:mod:`journey_agent`) only when the test handed this process a socket
(``ENCORE_JOURNEY_FD``); any other process that finds this folder on its path is left alone.
"""

import os

if os.environ.get("ENCORE_JOURNEY_FD"):
    import journey_agent

    journey_agent.start_from_env()
