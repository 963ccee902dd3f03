"""The notifier service: subscriptions, deliveries, inbox, reminders, preferences."""
