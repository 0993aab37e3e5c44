"""The book of escalation policies a station knows: its own, the shipped ones, the store's.

A dispute keeps the name and version of the policy it was opened under. To decide a
later command on it, a station looks the policy up here: first among the policies this
station was given or has already read, then among those shipped with the package, then
in the store, where :class:`~beatpolice.domain.policy_record.PolicyRecord` keeps every
policy a dispute was ever opened under (ADR 0207). So a second process, which never
loaded the station's policy file, decides the same way as the first.
"""

from __future__ import annotations

from collections.abc import Callable

from beatpolice.domain.errors import UnknownPolicyError
from beatpolice.domain.policy_record import PolicyRecord, key
from beatpolice.domain.rules.escalation import SHIPPED_POLICIES, EscalationPolicy, load_policy
from beatpolice.domain.rules.fraud_scripts import FraudCatalogue, load_catalogue

__all__ = ["PolicyBook"]

StoredPolicy = Callable[[str], PolicyRecord | None]
"""Finds the policy record stored under ``NAME@VERSION`` (None when there is none)."""


class PolicyBook:
    """The escalation policies one station can decide disputes under.

    Args:
        policy: the policy new disputes open under.
        stored: reads a policy record from the station's store.
        fraud_scripts: the fraud-script catalogue fraud-risk assessments are decided
            against (the shipped one when None, ADR 0905).
    """

    def __init__(
        self,
        policy: EscalationPolicy,
        stored: StoredPolicy,
        *,
        fraud_scripts: FraudCatalogue | None = None,
    ) -> None:
        self.policy = policy
        self.fraud_scripts = fraud_scripts if fraud_scripts is not None else load_catalogue()
        self._stored = stored
        self._known: dict[tuple[str, str], EscalationPolicy] = {
            (policy.name, policy.version): policy
        }

    def lookup(self, name: str, version: str | None) -> EscalationPolicy:
        """The policy ``name`` of ``version`` (the only one known by that name if None).

        Raises:
            UnknownPolicyError: it is neither this station's, nor shipped, nor stored.
        """
        if version is None or version == "":
            named = [found for (known, _), found in self._known.items() if known == name]
            if len(named) == 1:
                return named[0]
            return self._shipped(name, None)
        found = self._known.get((name, version))
        if found is not None:
            return found
        record = self._stored(key(name, version))
        found = record.policy() if record is not None else self._shipped(name, version)
        self._known[name, version] = found
        return found

    def _shipped(self, name: str, version: str | None) -> EscalationPolicy:
        if name in SHIPPED_POLICIES:
            shipped = load_policy(name)
            if version is None or shipped.version == version:
                return shipped
        wanted = name if version is None else f"{name} version {version}"
        raise UnknownPolicyError(
            f"escalation policy {wanted} is neither recorded in this store nor shipped "
            "with beatpolice; open the station with that policy's file once"
        )
