"""A minimal stock django-oauth-toolkit project, the baseline of the load benchmark (bench/load).

It imports nothing from mm_oauth or example_project: the benchmark runs it from
a virtual environment of its own, where only Django, DOT, DRF, gunicorn and
psycopg are installed.
"""
