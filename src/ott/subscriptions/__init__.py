"""The subscription service (port 3007, /api/subscriptions): plans as data (plans.py), the
lifecycle (status.py, lifecycles.py), checkouts (checkout.py), plan changes, cancel and resume
(service.py), the renewal job (jobs.py, billing.py, periods.py), the webhook inbox (inbox.py),
entitlements and their cache (entitlements.py, changes.py) and the payment providers
(providers/)."""
