"""The gateway's HTTP routes: its own views (dossier, dashboards, events) and the pass-through to the services."""
