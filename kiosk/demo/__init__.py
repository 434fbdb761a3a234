"""The demo music library: synthesised, licence-clean songs so a fresh kiosk has music (kiosk demo-content)."""
