"""parcelsync: keeps parcel tracking numbers in sync with the store, the payment gateway and the tracker."""

__version__ = "0.1.0"
