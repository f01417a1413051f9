#!/usr/bin/env python3
"""A browser login to a minimal Django project behind an emulated TLS-terminating front end.

Run with the python of a venv that has Django installed (see venv.sh):

    PY=$(tests/e2e/venv.sh django-5.2 django==5.2.19)
    "$PY" tests/e2e/django_login.py --work-dir DIR --origin https://svc-abc123-uc.a.run.app \
        [--origin https://app.example.org] [--snippet proxytrust_settings.py --env-json env.json] \
        [--front-end cloud-run|rewrite-host]

The project (written to DIR) is what a developer has before ProxyTrust: `ALLOWED_HOSTS = ["*"]`,
Django's LoginView at /accounts/login/ and a login_required page at /private/. With `--snippet`,
the generated settings fragment is appended to settings.py as is, and the variables of
`--env-json` are put in the environment before Django reads its settings.

Three parts on loopback, all in this process:
* Django's WSGI application, served by wsgiref on 127.0.0.1:A.
* The front end on 127.0.0.1:B, doing what a TLS-terminating front end does with each request
  before it reaches the container. `cloud-run`: the public Host is passed on,
  `X-Forwarded-Proto: https` is set (any value from the client is replaced) and the client
  address is appended to `X-Forwarded-For`; no `X-Forwarded-Host` (shared/knowledge/platforms.md
  §1.4). `rewrite-host`: like a proxy that sends the upstream's own address as Host and the
  public host in `X-Forwarded-Host`. Responses come back unchanged.
* The browser: it speaks plain HTTP to B (the TLS leg is what the front end removes) with
  `Host: <public host>`, keeps cookies by hand (Secure ones too, as a browser does on its https
  side), GETs the login form and POSTs it back with `Origin` and `Referer` of the public origin,
  then opens /private/ with the session.

For each origin the report has the GET, POST and /private/ statuses, the Location, the
Set-Cookie attributes, and Django's log lines (`csrf_log`: the `django.security.csrf` ones). It
also has the system checks (`run_checks(include_deployment_checks=True)`), the effective proxy
settings, and the status and log of a request with a Host nobody listed. Prints one JSON
document on stdout. Only the standard library and Django are used.
"""

import argparse
import http.client
import http.server
import json
import logging
import os
import re
import socketserver
import sys
import threading
import urllib.parse
from http.cookies import SimpleCookie
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

USERNAME = 'alice'
PASSWORD = 'a-long-password-for-e2e-1'
CLIENT_IP = '203.0.113.7'  # TEST-NET-3: the browser's address

BASE_SETTINGS = '''\
# A minimal project as a developer has it before deploying behind a proxy.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "dev-only-not-secret-0123456789-0123456789-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "proj.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_REDIRECT_URL = "/private/"
'''

URLS = '''\
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import path


@login_required
def private(request):
    return HttpResponse("hello " + request.user.get_username())


urlpatterns = [
    path("accounts/login/", LoginView.as_view()),
    path("private/", private),
]
'''

LOGIN_TEMPLATE = '''\
<!doctype html>
<form method="post">{% csrf_token %}{{ form.as_p }}<button type="submit">Log in</button></form>
'''


def write_project(work, snippet):
    proj = os.path.join(work, 'proj')
    os.makedirs(proj, exist_ok=True)
    os.makedirs(os.path.join(work, 'templates', 'registration'), exist_ok=True)
    settings = BASE_SETTINGS
    if snippet is not None:
        settings += '\n# --- appended: the ProxyTrust settings fragment, as generated ---\n' + snippet
    files = {
        os.path.join(proj, '__init__.py'): '',
        os.path.join(proj, 'settings.py'): settings,
        os.path.join(proj, 'urls.py'): URLS,
        os.path.join(work, 'templates', 'registration', 'login.html'): LOGIN_TEMPLATE,
    }
    for path, text in files.items():
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)


class Records(logging.Handler):
    """Every log record from Django's loggers, as text."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append({'logger': record.name, 'message': record.getMessage()})


class QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def front_end(backend_port, mode):
    """The TLS-terminating front end, minus the TLS: rewrites headers and forwards."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def forward(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else None
            headers = {}
            for name, value in self.headers.items():
                if name.lower() in ('x-forwarded-proto', 'x-forwarded-host', 'connection'):
                    continue  # what the client claims is not passed on
                headers[name] = value
            public_host = self.headers.get('Host', '')
            headers['X-Forwarded-Proto'] = 'https'
            xff = self.headers.get('X-Forwarded-For')
            headers['X-Forwarded-For'] = f'{xff}, {CLIENT_IP}' if xff else CLIENT_IP
            if mode == 'rewrite-host':
                headers['Host'] = f'127.0.0.1:{backend_port}'
                headers['X-Forwarded-Host'] = public_host
            conn = http.client.HTTPConnection('127.0.0.1', backend_port, timeout=30)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status, resp.reason)
            for name, value in resp.getheaders():
                if name.lower() in ('content-length', 'connection', 'transfer-encoding', 'date', 'server'):
                    continue
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = forward
        do_POST = forward

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    def __init__(self, port, origin):
        self.port = port
        self.origin = origin
        self.host = urllib.parse.urlsplit(origin).netloc
        self.cookies = {}
        self.set_cookies = []

    def request(self, method, path, body=None, headers=None, host=None):
        h = {'Host': host or self.host, 'User-Agent': 'proxytrust-e2e/1'}
        if self.cookies:
            h['Cookie'] = '; '.join(f'{k}={v}' for k, v in self.cookies.items())
        h.update(headers or {})
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read().decode('utf-8', 'replace')
        for name, value in resp.getheaders():
            if name.lower() != 'set-cookie':
                continue
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
                self.set_cookies.append({
                    'name': key,
                    'secure': bool(morsel['secure']),
                    'httponly': bool(morsel['httponly']),
                    'samesite': morsel['samesite'],
                    'request_path': path,
                })
        conn.close()
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work-dir', required=True)
    ap.add_argument('--origin', required=True, action='append', help='a public origin the browser uses (repeatable)')
    ap.add_argument('--snippet', help='the generated settings fragment to append')
    ap.add_argument('--env-json', help='variables to put in the environment (JSON object)')
    ap.add_argument('--front-end', default='cloud-run', choices=['cloud-run', 'rewrite-host'])
    args = ap.parse_args()

    snippet = None
    if args.snippet:
        with open(args.snippet, encoding='utf-8') as f:
            snippet = f.read()
    env = {}
    if args.env_json:
        with open(args.env_json, encoding='utf-8') as f:
            env = json.load(f)
    os.environ.update(env)
    work = os.path.abspath(args.work_dir)
    write_project(work, snippet)
    sys.path.insert(0, work)
    os.environ['DJANGO_SETTINGS_MODULE'] = 'proj.settings'

    import django
    from django.conf import settings

    report = {'django_version': django.get_version(), 'env': sorted(env), 'front_end': args.front_end}
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core import checks
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    report['settings'] = {
        'ALLOWED_HOSTS': list(settings.ALLOWED_HOSTS),
        'CSRF_TRUSTED_ORIGINS': list(settings.CSRF_TRUSTED_ORIGINS),
        'SECURE_PROXY_SSL_HEADER': repr(settings.SECURE_PROXY_SSL_HEADER),
        'USE_X_FORWARDED_HOST': settings.USE_X_FORWARDED_HOST,
        'SESSION_COOKIE_SECURE': settings.SESSION_COOKIE_SECURE,
        'CSRF_COOKIE_SECURE': settings.CSRF_COOKIE_SECURE,
        'SECRET_KEY_from_env': settings.SECRET_KEY == env.get('DJANGO_SECRET_KEY'),
    }
    report['checks'] = [
        {'id': m.id, 'msg': m.msg} for m in checks.run_checks(include_deployment_checks=True)
    ]
    call_command('migrate', verbosity=0, interactive=False)
    get_user_model().objects.create_user(USERNAME, password=PASSWORD)

    app = get_wsgi_application()
    # After get_wsgi_application(), which runs django.setup() again: Django's logging
    # configuration replaces the 'django' logger's handlers each time.
    records = Records()
    logging.getLogger('django').addHandler(records)
    logging.getLogger('django').setLevel(logging.DEBUG)
    server = make_server('127.0.0.1', 0, app, server_class=ThreadingWSGIServer, handler_class=QuietWSGIHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    front = front_end(server.server_port, args.front_end)

    login = '/accounts/login/'
    report['results'] = []
    for origin in args.origin:
        b = Browser(front.server_port, origin)
        r = {'origin': origin}
        mark = len(records.lines)
        status, _, page = b.request('GET', login)
        r['get_status'] = status
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = m.group(1) if m else ''
        form = urllib.parse.urlencode({'csrfmiddlewaretoken': token, 'username': USERNAME, 'password': PASSWORD})
        status, headers, _ = b.request('POST', login, body=form, headers={
            'Content-Type': 'application/x-www-form-urlencoded',
            'Origin': origin,
            'Referer': origin + login,
        })
        r['post_status'] = status
        r['location'] = headers.get('location')
        status, _, body = b.request('GET', '/private/')
        r['private_status'] = status
        r['private_body'] = body if status == 200 else None
        r['log'] = records.lines[mark:]
        r['csrf_log'] = [x['message'] for x in records.lines[mark:] if x['logger'] == 'django.security.csrf']
        r['cookies'] = b.set_cookies
        report['results'].append(r)
    # A Host nobody listed, through the same front end.
    mark = len(records.lines)
    status, _, _ = Browser(front.server_port, 'https://not-listed.example').request('GET', login)
    report['unlisted_host_status'] = status
    report['unlisted_host_log'] = [r['message'] for r in records.lines[mark:]]
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write('\n')
    server.shutdown()
    front.shutdown()


if __name__ == '__main__':
    main()
