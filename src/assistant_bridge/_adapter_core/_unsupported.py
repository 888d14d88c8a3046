"""The error an adapter raises for an operation the vendor API cannot do.

Kept apart from `_conversations` (which re-exports both names) so that adapters that only
need the error do not import the Jylo and Zaia clients.
"""

from __future__ import annotations

from .._transport import AssistantBridgeError

__all__ = ["UnsupportedOperationError", "unsupported"]


class UnsupportedOperationError(AssistantBridgeError, NotImplementedError):
    """The vendor's API cannot do this operation; nothing was sent or changed.

    Attributes:
        vendor: ``"jylo"`` or ``"zaia"``.
        operation: the method that was called, e.g. ``"clear"``.
    """

    def __init__(self, message: str, *, vendor: str, operation: str) -> None:
        super().__init__(message)
        self.message = message
        self.vendor = vendor
        self.operation = operation


def unsupported(vendor: str, operation: str, reason: str) -> UnsupportedOperationError:
    """An `UnsupportedOperationError` whose message names the vendor, operation and reason."""
    return UnsupportedOperationError(
        f"{operation}: not supported by the {vendor.capitalize()} API: {reason}",
        vendor=vendor,
        operation=operation,
    )
