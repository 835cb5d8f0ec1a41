"""Where does a run of apply_rating_rule spend its time? Wall-clock seconds per phase.

    DATABASE_URL=sqlite:///$PWD/bench/out/rule.sqlite3 EMAIL_BACKEND=bench.mail.SerialisingBackend \
        python -m bench.rule_phases --as-of 2026-11-22

Runs the command in-process (it writes: use a copy of the generated
database) with timers around its phases: reading the candidates, judging
them, writing the steps and warnings (with the level-change and warning
inserts on their own), building the e-mails, and sending them.
"""

import argparse
import collections
import functools
import io
import os
import secrets
import time

from bench.generate import setup_django


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup_django()
    from django.core.management import call_command
    from django.db.models import QuerySet

    from stations import notices, rating_rule

    spent = collections.Counter()

    def timed(owner, name, label=None):
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label or name] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    for owner, name in [(rating_rule, "plan"), (rating_rule, "write"), (rating_rule, "send"),
                        (rating_rule, "change_standings"), (notices, "standing_notice_message"),
                        (notices, "rule_warning_message")]:
        timed(owner, name)
    original_bulk_create = QuerySet.bulk_create

    def bulk_create(self, objs, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original_bulk_create(self, objs, *args, **kwargs)
        finally:
            spent[f"bulk_create {self.model.__name__}"] += time.perf_counter() - started

    QuerySet.bulk_create = bulk_create
    chunks = rating_rule.candidate_chunks

    def candidate_chunks(*args, **kwargs):
        iterator = chunks(*args, **kwargs)
        while True:
            started = time.perf_counter()
            chunk = next(iterator, None)
            spent["candidate_chunks"] += time.perf_counter() - started
            if chunk is None:
                return
            yield chunk

    rating_rule.candidate_chunks = candidate_chunks
    started = time.perf_counter()
    call_command("apply_rating_rule", "--as-of", args.as_of, stdout=io.StringIO())
    print(f"apply_rating_rule (in-process, after Django start-up): {time.perf_counter() - started:.2f} s")
    for name, seconds in spent.most_common():
        print(f"  {name:28} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
