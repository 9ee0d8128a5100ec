"""Payments shared among the services of the invoices they pay ("collected by service").

An invoice is paid by reconciliations (partials) in the order they were made. Each one covers the invoice's
services in groups: the principal services first and the penalty last (or the penalty first, when the
association's statute says so); within a group either proportionally to what is still owed for each service
(kopecks shared by the largest remainder, so the parts add up exactly), or service by service in the order of
their priority. Lines of the same service are netted; negative services (a benefit or a correction on its own
line) lower the other services of the invoice in proportion, so what is owed adds up to the invoice total.
"""

from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")


def _split(amount, weights):
    """``amount`` (kopecks exact) shared in proportion to ``weights`` {key: Decimal > 0}, largest remainder."""
    total = sum(weights.values(), Decimal(0))
    if not weights or total <= 0:
        return {}
    shares, remainders = {}, []
    for key, weight in weights.items():
        exact = amount * weight / total
        share = exact.quantize(CENT, rounding=ROUND_FLOOR)
        shares[key] = share
        remainders.append((exact - share, key))
    left = int(((amount - sum(shares.values(), Decimal(0))) / CENT).to_integral_value())
    for _remainder, key in sorted(remainders, key=lambda item: (-item[0], str(item[1])))[:left]:
        shares[key] += CENT
    return shares


def owed_by_service(lines):
    """{service: owed} of an invoice from ``lines`` [(service, amount)]: same services netted, negative ones spread
    over the positive ones in proportion."""
    net = {}
    for service, amount in lines:
        net[service] = net.get(service, Decimal(0)) + Decimal(amount)
    positive = {service: amount for service, amount in net.items() if amount > 0}
    negative = -sum((amount for amount in net.values() if amount < 0), Decimal(0))
    if negative and positive:
        cuts = _split(min(negative, sum(positive.values(), Decimal(0))), positive)
        positive = {service: amount - cuts.get(service, Decimal(0)) for service, amount in positive.items()}
    return {service: amount for service, amount in positive.items() if amount > 0}


def allocate(owed, payments, penalties=(), priority=None, penalty_first=False):
    """Share each payment of ``payments`` [(key, amount)] (in the order they paid the invoice) among the services of
    ``owed`` {service: amount}. ``penalties``: the penalty services; ``priority``: {service: rank} for payment by
    priority (None: proportionally). Returns {payment key: {service: amount}}; a payment beyond what is owed keeps
    the rest unallocated."""
    left = dict(owed)
    principal = [service for service in left if service not in penalties]
    fines = [service for service in left if service in penalties]
    groups = [fines, principal] if penalty_first else [principal, fines]
    result = {}
    for key, amount in payments:
        pay = Decimal(amount)
        parts = {}
        for group in groups:
            if pay <= 0:
                break
            open_services = {service: left[service] for service in group if left[service] > 0}
            if not open_services:
                continue
            take = min(pay, sum(open_services.values(), Decimal(0)))
            if priority is not None:
                shares = {}
                rest = take
                for service in sorted(open_services, key=lambda s: (priority.get(s, 0), str(s))):
                    share = min(rest, open_services[service])
                    if share > 0:
                        shares[service] = share
                    rest -= share
            else:
                shares = _split(take, open_services)
            for service, share in shares.items():
                left[service] -= share
                parts[service] = parts.get(service, Decimal(0)) + share
            pay -= take
        result[key] = parts
    return result
