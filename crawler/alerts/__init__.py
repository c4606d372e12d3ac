"""Alerts: subscriptions, channels, messages and the outbox that delivers each event once."""
