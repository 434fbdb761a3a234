"""Use cases: what the kiosk does for staff and around the session (staff actions, residents import, the
selection source, the report dashboard, the watchdog heartbeat).

They use the domain and plain modules only; whatever they need from the outside world comes in through a port
(:mod:`kiosk.domain.ports`, :mod:`kiosk.app.ports`) that :mod:`kiosk.wiring` fills with an adapter.
"""
