"""Every command of the notifier's API and the use case that handles it."""

from __future__ import annotations

from typing import Any

from evently_platform.bus import Command, Handler

from evently_notifier.service_layer import commands, inbox, reminders, webhooks

HANDLERS: dict[type[Command[Any]], Handler] = {
    commands.CreateSubscription: webhooks.create_subscription,
    commands.ListSubscriptions: webhooks.list_subscriptions,
    commands.DeleteSubscription: webhooks.delete_subscription,
    commands.RotateSecret: webhooks.rotate_secret,
    commands.ListDeliveries: webhooks.list_deliveries,
    commands.RetryDelivery: webhooks.retry_delivery,
    commands.SendTestEvent: webhooks.send_test_event,
    commands.ListNotifications: inbox.list_notifications,
    commands.NewestNotification: inbox.newest_notification,
    commands.NewerNotifications: inbox.newer_notifications,
    commands.MarkRead: inbox.mark_read,
    commands.GetPreferences: inbox.get_preferences,
    commands.UpdatePreferences: inbox.update_preferences,
    commands.Unsubscribe: inbox.unsubscribe,
    commands.CreateReminder: reminders.create_reminder,
    commands.ListReminders: reminders.list_reminders,
    commands.DeleteReminder: reminders.delete_reminder,
}
