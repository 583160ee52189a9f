"""Interleaved timing rounds of a peer and Kiln (bench/tune_bench.py).

On a shared machine another process's burst costs whole scheduler ticks (4-8 ms) to whichever
side is being timed, which for a 10-microsecond operator is a 500x error. Timing the two
sides alternately for a few rounds and keeping each side's best p50 makes a row compare the
two in the quietest moments each had, close together in time.
"""

from kiln_tuned import KilnError


def best_of(rounds, peer, kiln, log, label):
    """Calls peer() and kiln() alternately `rounds` times; each returns a stats dict with
    p50_ms, or None or {} when it failed; kiln() may also raise KilnError, which ends its rounds.
    Returns (peer stats, kiln stats, kiln error): the dicts with the lowest p50 of each side,
    or {} where none succeeded."""
    peers, kilns, error = [], [], None
    for _ in range(rounds):
        result = peer()
        if result and result.get("p50_ms") is not None:
            peers.append(result)
        if error is None:
            try:
                result = kiln()
                if result and result.get("p50_ms") is not None:
                    kilns.append(result)
            except KilnError as e:
                error = str(e)
                log(f"bench: {label}: {e}")
    best = lambda runs: min(runs, key=lambda r: r["p50_ms"]) if runs else {}  # noqa: E731
    return best(peers), best(kilns), error
