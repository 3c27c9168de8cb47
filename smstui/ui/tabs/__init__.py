"""The eight tabs, one module each, and the registry the app builds itself from."""
