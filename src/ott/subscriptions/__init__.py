"""The subscription service (port 3007): plans, the subscription lifecycle, payments and
entitlements. Being built (issue 11): so far the lifecycle (status.py) and the plans
(plans.py)."""
