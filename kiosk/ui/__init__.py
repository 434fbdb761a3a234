"""The Kivy touch UI: screens (one .kv + screen + presenter each), the kiosk App, staff mode."""
