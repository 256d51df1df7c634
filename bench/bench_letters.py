"""Benchmark: the award letters of the demo (selection phase, 32 letters) through the real
service path against bare WeasyPrint on the same HTML, and on a real Celery worker with one
process against two. Prints figures; asserts nothing.

    DATABASE_URL=postgres://... TEST_REDIS_URL=redis://127.0.0.1:6379/<db> \\
        .venv/bin/python bench/bench_letters.py [--skip-workers] [--repeat N]

It uses a throwaway database (``<name>_bench_letters``) and a temporary MEDIA_ROOT; the
workers (``tests.worker_support``) consume their own fresh queue on the test Redis database.

* service: ``letters_request`` run in-process (eager), divided by the letters it made; the
  HTML each letter was rendered from is kept;
* bare: ``weasyprint.HTML(string=html, base_url=BASE_DIR).write_pdf()`` on that same HTML, a
  fresh default font configuration each time (what a naive caller does);
* ratio: bare ms / service ms (1.0 = the service adds nothing to WeasyPrint; above 1: the
  service is faster than the naive call, thanks to the per-process font cache);
* workers: from ``letters_request`` to the run marked done, with a worker of concurrency 1
  (solo pool) and of concurrency 2 (prefork), both warmed up by one letter run first.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

PHASE = "selection"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="passes of each measurement")
    parser.add_argument("--dump-html", type=Path, help="write the letters' HTML to this folder")
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="bench-letters-")
    os.environ["MEDIA_ROOT"] = media  # this process and the workers it starts

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.DEBUG = False
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        settings.DATABASES["default"]["NAME"] + "_bench_letters"
    )
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run_bench(args, connection)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def run_bench(args, connection) -> None:
    from django.conf import settings

    from contracts.award_models import AwardLetter, LetterRun
    from contracts.services.awards import letters_request
    from evaluation.services.scenario import scenario_load
    from tender import pdf as pdf_module
    from tender.scenario import DEMO_DIR, load_scenario_file
    from tests.contracts.award_support import finalise_rankings, inkoper

    tender = scenario_load(data=load_scenario_file(DEMO_DIR / "achterhoek-2022.json"))
    finalise_rankings(tender)

    def fresh() -> None:
        AwardLetter.objects.filter(tender=tender, phase=PHASE).delete()
        LetterRun.objects.filter(tender=tender, phase=PHASE).delete()

    # -- service path, in-process (eager), the HTML of each letter kept ----------------------
    htmls: list[str] = []
    real_render = pdf_module.render_to_string

    def keep(template_name, context):
        html = real_render(template_name, context)
        htmls.append(html)
        return html

    pdf_module.render_to_string = keep
    service = []
    try:
        for _ in range(args.repeat):
            fresh()
            htmls.clear()
            started, cpu = time.perf_counter(), time.process_time()
            run = letters_request(tender=tender, phase=PHASE, user=inkoper())
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            run.refresh_from_db()
            assert run.status == "done" and run.done == run.total == len(htmls), run
            service.append((elapsed * 1000 / run.total, cpu * 1000 / run.total))
    finally:
        pdf_module.render_to_string = real_render
    letters = len(htmls)

    if args.dump_html:
        args.dump_html.mkdir(parents=True, exist_ok=True)
        for n, html in enumerate(htmls):
            (args.dump_html / f"letter-{n:02d}.html").write_text(html, encoding="utf-8")

    # -- bare WeasyPrint on the same HTML ----------------------------------------------------
    from weasyprint import HTML

    bare = []
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        for html in htmls:
            HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        bare.append((elapsed * 1000 / letters, cpu * 1000 / letters))

    # Wall time (what staff wait for) and this process's CPU time (steadier on a busy
    # machine; the database's own work is not in it).
    (service_wall, service_cpu), (bare_wall, bare_cpu) = min(service), min(bare)
    print(f"database: {connection.vendor}; {letters} {PHASE} letters; best of {args.repeat}")
    print(f"service path   : {service_wall:7.1f} ms per letter ({service_cpu:7.1f} ms CPU)")
    print(f"bare WeasyPrint: {bare_wall:7.1f} ms per letter ({bare_cpu:7.1f} ms CPU), same HTML")
    print(
        f"ratio bare/service: {bare_wall / service_wall:5.2f}x wall, "
        f"{bare_cpu / service_cpu:5.2f}x CPU"
    )
    figures = {
        "letters": letters,
        "service_ms": round(service_wall, 1),
        "service_cpu_ms": round(service_cpu, 1),
        "bare_ms": round(bare_wall, 1),
        "bare_cpu_ms": round(bare_cpu, 1),
        "ratio_wall": round(bare_wall / service_wall, 2),
        "ratio_cpu": round(bare_cpu / service_cpu, 2),
    }
    if not args.skip_workers:
        figures["workers_speedup"] = round(workers(args, connection, tender, fresh, letters), 2)
    results_record(figures)


def results_record(figures: dict) -> None:
    """The figures in bench/results.json under "letters" -> "latest" (other keys kept)."""
    import json

    path = Path(__file__).resolve().parent / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results.setdefault("letters", {})["latest"] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.uname().sysname} {os.uname().machine}, {os.cpu_count()} cores",
        "load_average_1m": round(os.getloadavg()[0], 1),
        **figures,
    }
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def workers(args, connection, tender, fresh, letters: int) -> float:
    """Seconds with one worker process over seconds with two (the speed-up)."""
    from config import celery_app, queue
    from contracts.award_models import LetterRun
    from contracts.services.awards import letters_request
    from tests.contracts.award_support import inkoper
    from tests.worker_support import start_worker, stop_worker, wait_until_ready

    celery_app.conf.task_always_eager = False
    logs = Path(tempfile.mkdtemp(prefix="bench-letters-logs-"))
    seconds: dict[int, float] = {}
    for concurrency in (1, 2):
        worker = start_worker(
            settings_dict=connection.settings_dict,
            log_path=logs / f"c{concurrency}.log",
            concurrency=concurrency,
        )
        try:
            wait_until_ready(worker, celery_app)

            def send(task_name: str, *args, worker=worker) -> bool:
                queue.registered_task(task_name).apply_async(args, queue=worker.queue)
                return True

            queue.send = send
            timings = []
            for attempt in range(args.repeat + 1):  # the first pass warms the processes up
                fresh()
                started = time.perf_counter()
                run = letters_request(tender=tender, phase="selection", user=inkoper())
                deadline = started + 600
                while LetterRun.objects.get(pk=run.pk).status != "done":
                    if worker.process.poll() is not None or time.perf_counter() > deadline:
                        raise RuntimeError(f"worker failed; log:\n{worker.log()}")
                    time.sleep(0.05)
                if attempt:
                    timings.append(time.perf_counter() - started)
            seconds[concurrency] = min(timings)
            print(
                f"worker concurrency {concurrency}: {seconds[concurrency]:6.2f} s for {letters} "
                f"letters ({seconds[concurrency] * 1000 / letters:6.1f} ms per letter)"
            )
        finally:
            stop_worker(worker, celery_app)
    print(f"speed-up 2 workers vs 1: {seconds[1] / seconds[2]:5.2f}x (cores: {os.cpu_count()})")
    return seconds[1] / seconds[2]


if __name__ == "__main__":
    main()
