"""The payment provider a deployment uses (PAYMENT_PROVIDER), by name. The Stripe-style and
Razorpay-style modules are imported only when chosen."""

from __future__ import annotations

from importlib import import_module

from ott.core.settings import Settings
from ott.subscriptions.providers.base import PaymentProvider
from ott.subscriptions.providers.development import DevelopmentProvider

# name -> (module, class); each class is built as `Class(settings=settings)`.
_REMOTE = {
    "stripe": ("ott.subscriptions.providers.stripe", "StripeProvider"),
    "razorpay": ("ott.subscriptions.providers.razorpay", "RazorpayProvider"),
}


def create_provider(settings: Settings) -> PaymentProvider:
    name = settings.payment_provider
    if name == "development":
        return DevelopmentProvider()
    module, cls = _REMOTE[name]
    provider: PaymentProvider = getattr(import_module(module), cls)(settings=settings)
    return provider
