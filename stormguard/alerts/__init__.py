"""Storm alerts: one alert when a storm opens, reminders while it lasts, one resolution.

Flow: the sniffer calls :meth:`stormguard.alerts.dispatcher.Alerter.on_event` with each storm
event; the alerter records the event in the store and enqueues one outbox row per routed
channel (idempotent on a dedupe key, so a replayed event never pages twice). A delivery loop
claims due rows, sends them through the channel modules in :mod:`stormguard.alerts.channels`,
and marks them sent, or failed with an exponential backoff. The outbox lives in the store, so a
receiver that is down gets every alert once it is back, across daemon restarts; nothing is
dropped silently (a row is only ever `sent`, `pending` or, after `max_attempts`, `dead`).
"""
