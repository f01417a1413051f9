#!/usr/bin/env python3
"""A real Django app behind a real reverse proxy (nginx or Caddy), driven like a browser.

Run with the python of a venv that has Django installed (see venv.sh):

    PY=$(tests/e2e/venv.sh django-5.2 Django==5.2.19)
    "$PY" tests/e2e/django_behind_proxy.py --spec spec.json

The spec (JSON) says (with "snippet": a generated settings.py fragment and "env": the variables
it reads, the fragment's settings are applied over "settings"):
  {"django_port": 18000,
   "settings": {"ALLOWED_HOSTS": [...], "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
                "CSRF_TRUSTED_ORIGINS": [...], ...},        # Django settings for this run
   "origin": "https://app.example.org",                     # what the browser is on
   "proxies": [{"name": "generated", "argv": ["nginx", "-p", DIR, "-c", CONF],
                "port": 18443, "tls": true}, ...]}

Django 5.2 is configured with `settings.configure()` from the spec (plus a fixed SECRET_KEY, a
URLconf with one view and the CSRF middleware) and served with the standard library's wsgiref
server on 127.0.0.1:django_port, in a thread. The view answers GET /form/ with an HTML form
holding the CSRF token, and POST /form/ with JSON: request.is_secure(), request.get_host(),
request.build_absolute_uri() and the X-Forwarded-* headers Django saw.

For every proxy: start it (argv, its own process group), wait for its port, then do what a
browser on `origin` does: GET /form/ (SNI and Host are the origin's host; the certificate is
not checked, the test made it), keep the csrftoken cookie by hand (Secure cookies are sent,
as the browser is on https), POST the form back with Origin and Referer of the origin. Django's
own log lines from the `django.security.*` and `django.request` loggers for that request are
collected. The proxy is stopped afterwards (also on errors and signals).

With "probe_upgrade": true, a websocket handshake request (Connection: Upgrade, Upgrade:
websocket) then goes to GET /headers/, which answers any request with the X-* headers Django
saw (Django does not speak websockets; the point is what the proxy forwards on an upgrade).

One JSON document on stdout: {"django_version", "settings" (the effective proxy settings),
"results": [{"name", "get_status",
"post_status", "post_json", "upgrade_headers", "log": [...], "error"}]}. Exit status 0 = ran; 2 = bad spec;
3 = Django or a proxy did not start.
"""

import argparse
import http.client
import json
import logging
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, make_server

PATH = '/form/'


def log(msg):
    print(f'[django_behind_proxy] {msg}', file=sys.stderr, flush=True)


class Collect(logging.Handler):
    """Keeps Django's security and request log records (the 403/400 reasons)."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self._mu = threading.Lock()

    def emit(self, record):
        with self._mu:
            self.lines.append(f'{record.name}: {record.getMessage()}')

    def take(self):
        with self._mu:
            out, self.lines = self.lines, []
        return out


def snippet_settings(path, env):
    """The settings a generated settings.py fragment defines: `env` goes into the environment
    first (the fragment reads it), then the fragment runs as settings.py would run it; its
    upper-case names are the settings."""
    os.environ.update(env)
    namespace = {'__name__': 'proxytrust_settings', '__file__': path}
    with open(path, encoding='utf-8') as f:
        exec(compile(f.read(), path, 'exec'), namespace)  # noqa: S102 - the test's own file
    return {k: v for k, v in namespace.items() if k.isupper()}


def setup_django(spec_settings, collect):
    import django
    from django.conf import settings

    conf = dict(spec_settings)
    if isinstance(conf.get('SECURE_PROXY_SSL_HEADER'), list):
        conf['SECURE_PROXY_SSL_HEADER'] = tuple(conf['SECURE_PROXY_SSL_HEADER'])
    base = {
        'DEBUG': False,
        'SECRET_KEY': 'e2e-harness-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz',
        'ROOT_URLCONF': __name__,
        'MIDDLEWARE': ['django.middleware.csrf.CsrfViewMiddleware'],
        'TEMPLATES': [{'BACKEND': 'django.template.backends.django.DjangoTemplates'}],
        'INSTALLED_APPS': [],
        'LOGGING_CONFIG': None,
    }
    base.update(conf)
    settings.configure(**base)
    django.setup()
    for name in ('django.security', 'django.request'):
        lg = logging.getLogger(name)
        lg.addHandler(collect)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    return django.get_version()


def form_view(request):
    from django.http import HttpResponse, JsonResponse
    from django.template import engines

    if request.method == 'POST':
        return JsonResponse({
            'ok': True,
            'is_secure': request.is_secure(),
            'host': request.get_host(),
            'absolute_uri': request.build_absolute_uri(),
            'forwarded': {k: v for k, v in request.META.items() if k.startswith('HTTP_X_')},
        })
    tpl = engines['django'].from_string(
        '<form method="post" action="/form/">{% csrf_token %}'
        '<input name="text" value="hello"><button>Send</button></form>'
    )
    return HttpResponse(tpl.render({}, request))


def headers_view(request):
    """What the proxy sent: the X-Forwarded-* and similar headers, for any request."""
    from django.http import JsonResponse

    return JsonResponse({k: v for k, v in request.META.items() if k.startswith('HTTP_X_')})


urlpatterns = []


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_django(port):
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    urlpatterns.append(path('form/', form_view))
    urlpatterns.append(path('headers/', headers_view))
    httpd = make_server('127.0.0.1', port, get_wsgi_application(), handler_class=QuietHandler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    return httpd


def wait_port(port, proc=None, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Conn(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 but speaks TLS with SNI for the public host, like a browser
    whose DNS points at this machine."""

    def __init__(self, sni, port, ctx):
        super().__init__(sni, port, context=ctx, timeout=20)
        self._sni = sni
        self._ctx = ctx

    def connect(self):
        sock = socket.create_connection(('127.0.0.1', self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self._sni)


def request(proxy, host, method, path, headers, body=None):
    if proxy.get('tls', True):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = Conn(host, proxy['port'], ctx)
    else:
        conn = http.client.HTTPConnection('127.0.0.1', proxy['port'], timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def browser_flow(proxy, origin, collect):
    host = urllib.parse.urlsplit(origin).netloc
    out = {'name': proxy['name']}
    collect.take()
    # A proxy may listen a moment before its certificate is ready (Caddy's local CA) or before
    # its routes are loaded (Traefik answers 404 until its provider has run): retry those for
    # a while; the last answer counts.
    end = time.monotonic() + 15
    while True:
        try:
            status, headers, body = request(proxy, host.split(':')[0], 'GET', PATH, {'Host': host})
            if status not in (404, 502, 503) or time.monotonic() > end:
                break
        except (ssl.SSLError, ConnectionError):
            if time.monotonic() > end:
                raise
        time.sleep(0.2)
    out['get_status'] = status
    cookies = {}
    for k, v in headers:
        if k.lower() == 'set-cookie':
            name, _, rest = v.partition('=')
            cookies[name.strip()] = rest.split(';', 1)[0]
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    token = m.group(1).decode() if m else ''
    form = urllib.parse.urlencode({'csrfmiddlewaretoken': token, 'text': 'hello'})
    status, _, body = request(
        proxy,
        host.split(':')[0],
        'POST',
        PATH,
        {
            'Host': host,
            'Origin': origin,
            'Referer': origin + PATH,
            'Content-Type': 'application/x-www-form-urlencoded',
            'Cookie': '; '.join(f'{k}={v}' for k, v in cookies.items()),
        },
        form,
    )
    out['post_status'] = status
    try:
        out['post_json'] = json.loads(body) if status == 200 else None
    except ValueError:
        out['post_json'] = None
    out['had_csrf_cookie'] = 'csrftoken' in cookies
    out['log'] = collect.take()
    return out


def upgrade_probe(proxy, origin):
    """A websocket handshake request (RFC 6455 §4.1 headers) to /headers/: the app answers it
    like any GET, with the headers the proxy forwarded."""
    host = urllib.parse.urlsplit(origin).netloc
    status, _, body = request(
        proxy,
        host.split(':')[0],
        'GET',
        '/headers/',
        {
            'Host': host,
            'Connection': 'Upgrade',
            'Upgrade': 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
            'Origin': origin,
        },
    )
    try:
        return json.loads(body) if status == 200 else {'status': status}
    except ValueError:
        return {'status': status}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec', required=True)
    args = ap.parse_args()
    try:
        with open(args.spec, encoding='utf-8') as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        log(f'bad spec: {e}')
        return 2
    collect = Collect()
    conf = dict(spec.get('settings', {}))
    if 'snippet' in spec:
        conf.update(snippet_settings(spec['snippet'], spec.get('env', {})))
    version = setup_django(conf, collect)
    httpd = serve_django(spec['django_port'])
    if not wait_port(spec['django_port']):
        log('Django did not start')
        return 3
    results = []
    running = []

    def stop_all(*_):
        for p in running:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except OSError:
                pass
        for p in running:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        running.clear()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *a: (stop_all(), sys.exit(1)))
    try:
        for proxy in spec['proxies']:
            env = dict(os.environ)
            env.update(proxy.get('env', {}))
            p = subprocess.Popen(
                proxy['argv'],
                stdout=subprocess.DEVNULL,
                stderr=open(proxy.get('log', os.devnull), 'wb'),
                env=env,
                start_new_session=True,
            )
            running.append(p)
            if not wait_port(proxy['port'], p):
                log(f'{proxy["name"]}: did not start (exit {p.poll()})')
                stop_all()
                return 3
            try:
                res = browser_flow(proxy, spec['origin'], collect)
                if proxy.get('probe_upgrade'):
                    res['upgrade_headers'] = upgrade_probe(proxy, spec['origin'])
                results.append(res)
            except Exception as e:  # noqa: BLE001 - reported in the JSON
                results.append({'name': proxy['name'], 'error': repr(e)})
            stop_all()
    finally:
        stop_all()
        httpd.shutdown()
    from django.conf import settings
    effective = {
        k: getattr(settings, k)
        for k in ('ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS', 'SECURE_PROXY_SSL_HEADER',
                  'USE_X_FORWARDED_HOST', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_SECURE')
    }
    effective['SECRET_KEY_from_env'] = settings.SECRET_KEY == os.environ.get('DJANGO_SECRET_KEY')
    print(json.dumps({'django_version': version, 'settings': effective, 'results': results},
                     indent=1, default=list))
    return 0


if __name__ == '__main__':
    sys.exit(main())
