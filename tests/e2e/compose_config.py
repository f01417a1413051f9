#!/usr/bin/env python3
"""`docker-compose config` (docker-compose 1.x, PyPI) for many project directories in one process.

    PY=$(tests/e2e/venv.sh docker-compose-1 docker-compose==1.29.2 PyYAML==5.3.1)
    "$PY" tests/e2e/compose_config.py DIR...

For each DIR, runs docker-compose's own command-line entry point as
`docker-compose -f compose.yaml config` with DIR as the working directory (so `env_file` and
build paths resolve as they would there), capturing what it prints. Starting the CLI once per
directory costs about two seconds of imports; in one process it costs them once.

Prints one JSON list: [{"dir", "code", "config", "stderr"}], code 0 meaning the file is valid.
"""

import contextlib
import io
import json
import os
import sys

from compose.cli.main import main as compose_main


def main():
    out = []
    for d in sys.argv[1:]:
        os.chdir(d)
        sys.argv = ['docker-compose', '-f', 'compose.yaml', 'config']
        stdout, stderr = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                compose_main()
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
        out.append({'dir': d, 'code': code, 'config': stdout.getvalue(), 'stderr': stderr.getvalue()})
    print(json.dumps(out))


if __name__ == '__main__':
    main()
