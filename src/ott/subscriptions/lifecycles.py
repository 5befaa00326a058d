"""The lives of a checkout and of an invoice, each a table and one transition function (the
subscription's own lifecycle is status.py).

Checkout:   open ──complete──▶ completed
              ├───expire────▶ expired     (not paid within CHECKOUT_LIFETIME)
              └───cancel────▶ canceled    (the viewer gave up, or a newer checkout replaced it)

Invoice:    open ──pay──▶ paid ──refund──▶ refunded
              │  ▲
              │  └──pay── failed ◀──fail── (a retry failed: stays failed)
              └──fail─────▶ failed ──void──▶ void   (the grace period ended unpaid)
            open ──void──▶ void

A failed invoice is still collectable: a retry or a late webhook may pay it. A voided one is
not (the account went on hold); paying after the hold makes a new period with its own invoice.
"""

from __future__ import annotations

from enum import StrEnum

from ott.core.errors import Conflict


class CheckoutStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELED = "canceled"


class CheckoutEvent(StrEnum):
    COMPLETE = "complete"
    EXPIRE = "expire"
    CANCEL = "cancel"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    FAILED = "failed"
    VOID = "void"
    REFUNDED = "refunded"


class InvoiceEvent(StrEnum):
    PAY = "pay"
    FAIL = "fail"
    VOID = "void"
    REFUND = "refund"


CHECKOUT_TRANSITIONS: dict[tuple[CheckoutStatus, CheckoutEvent], CheckoutStatus] = {
    (CheckoutStatus.OPEN, CheckoutEvent.COMPLETE): CheckoutStatus.COMPLETED,
    (CheckoutStatus.OPEN, CheckoutEvent.EXPIRE): CheckoutStatus.EXPIRED,
    (CheckoutStatus.OPEN, CheckoutEvent.CANCEL): CheckoutStatus.CANCELED,
}

INVOICE_TRANSITIONS: dict[tuple[InvoiceStatus, InvoiceEvent], InvoiceStatus] = {
    (InvoiceStatus.OPEN, InvoiceEvent.PAY): InvoiceStatus.PAID,
    (InvoiceStatus.FAILED, InvoiceEvent.PAY): InvoiceStatus.PAID,
    (InvoiceStatus.OPEN, InvoiceEvent.FAIL): InvoiceStatus.FAILED,
    (InvoiceStatus.FAILED, InvoiceEvent.FAIL): InvoiceStatus.FAILED,
    (InvoiceStatus.OPEN, InvoiceEvent.VOID): InvoiceStatus.VOID,
    (InvoiceStatus.FAILED, InvoiceEvent.VOID): InvoiceStatus.VOID,
    (InvoiceStatus.PAID, InvoiceEvent.REFUND): InvoiceStatus.REFUNDED,
}


class CheckoutNotOpen(Conflict):
    """The checkout is no longer open (409): completed, expired or canceled."""

    code = "checkout_not_open"


class InvalidInvoiceTransition(Conflict):
    code = "invalid_invoice_transition"


def next_checkout_status(current: CheckoutStatus, event: CheckoutEvent) -> CheckoutStatus:
    """The status `event` moves a checkout in status `current` to; CheckoutNotOpen if none."""
    target = CHECKOUT_TRANSITIONS.get((current, event))
    if target is None:
        raise CheckoutNotOpen(
            f"The checkout is {current.value}: it cannot {event.value}",
            details={"status": current.value, "event": event.value},
        )
    return target


def next_invoice_status(current: InvoiceStatus, event: InvoiceEvent) -> InvoiceStatus:
    """The status `event` moves an invoice in status `current` to; InvalidInvoiceTransition if
    none."""
    target = INVOICE_TRANSITIONS.get((current, event))
    if target is None:
        raise InvalidInvoiceTransition(
            f"A {current.value} invoice cannot take the step {event.value!r}",
            details={"status": current.value, "event": event.value},
        )
    return target


def invoice_applies(current: InvoiceStatus, event: InvoiceEvent) -> bool:
    return (current, event) in INVOICE_TRANSITIONS
