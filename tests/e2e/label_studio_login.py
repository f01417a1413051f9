#!/usr/bin/env python3
"""End-to-end login check for the real Label Studio behind an emulated Cloud Run front end.

Run with the python of a venv that has label-studio installed (see venv.sh):

    PY=$(tests/e2e/venv.sh label-studio label-studio==1.23.2)
    "$PY" tests/e2e/label_studio_login.py --port 18080 --env-json env.json \
        --origin https://labelstudio-abc123-uc.a.run.app --origin https://ls.example.com \
        --username admin@example.com --password 'secret-pw' --data-dir /tmp/ls-data

It starts `label-studio start` on 127.0.0.1:PORT with a clean environment, then for every
origin does what Cloud Run's front end and a browser do together: each request goes to
127.0.0.1:PORT over plain HTTP but carries `Host: <public host>`, `X-Forwarded-Proto: https`
and `X-Forwarded-For`; GET /user/login/ yields the csrftoken cookie and the form token, and the
form is POSTed back with `Origin` and `Referer` set to the public origin. Cookies are handled by
hand (the Secure flag must not stop them from being sent, since the browser's side of the
connection is HTTPS). With --verify-script, the generated verify.sh then runs against the same
server through a TLS-terminating front end (see tls_front_end). One JSON document is printed on
stdout; the server's output goes to
<data-dir>/label-studio.log. Only the standard library is used here.

Exit status: 0 = ran (and --expect, if given, held); 1 = --expect did not hold;
3 = the server did not start; 2 = bad arguments.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from html.parser import HTMLParser
from http.client import HTTPConnection

LOGIN_PATH = '/user/login/'
CLIENT_IP = '203.0.113.7'  # TEST-NET-3, stands in for the browser's address
USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) proxytrust-e2e/1'
LOG_PATTERN = re.compile(r'Forbidden|CSRF|Origin checking', re.IGNORECASE)
# Label Studio resolves every setting NAME from LABEL_STUDIO_NAME, HEARTEX_NAME, then NAME.
LS_PREFIXES = ('LABEL_STUDIO_', 'HEARTEX_', '')
# Set unless the env JSON names them (under any prefix): keep a test run from phoning home
# (Sentry with send_default_pii, usage analytics, PyPI version check). None of them touches
# CSRF, cookies or hosts. Disable with --no-quiet-defaults.
QUIET_DEFAULTS = {
    'SENTRY_DSN': '',
    'FRONTEND_SENTRY_DSN': '',
    'COLLECT_ANALYTICS': '0',
    'LATEST_VERSION_CHECK': '0',
}


def log(msg):
    print(f'[label_studio_login] {msg}', file=sys.stderr, flush=True)


class Interrupted(BaseException):
    pass


def _on_signal(signum, _frame):
    raise Interrupted(f'signal {signum}')


# --------------------------------------------------------------------------- env helpers


def ls_get_env(env, name):
    """Label Studio's get_env(): first of LABEL_STUDIO_NAME, HEARTEX_NAME, NAME present."""
    for prefix in LS_PREFIXES:
        if prefix + name in env:
            return env[prefix + name]
    return None


def load_env_json(path):
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a JSON object, got {type(data).__name__}')
    env = {}
    for k, v in data.items():
        if not isinstance(k, str) or not k or '=' in k or '\0' in k:
            raise ValueError(f'{path}: invalid variable name {k!r}')
        if not isinstance(v, str):
            raise ValueError(f'{path}: value of {k} must be a string, got {type(v).__name__}')
        if '\0' in v:
            raise ValueError(f'{path}: value of {k} contains NUL')
        env[k] = v
    return env


# --------------------------------------------------------------------------- cookies


def parse_set_cookie(header):
    """Parse one Set-Cookie header value into a dict (no http.cookies: it is too strict)."""
    parts = header.split(';')
    name, sep, value = parts[0].partition('=')
    if not sep:
        return None
    cookie = {
        'name': name.strip(),
        'value': value.strip().strip('"') if value.strip().startswith('"') else value.strip(),
        'secure': False,
        'httponly': False,
        'samesite': None,
        'path': None,
        'max_age': None,
        'expires': None,
    }
    for attr in parts[1:]:
        key, _, val = attr.strip().partition('=')
        key = key.strip().lower()
        val = val.strip()
        if key == 'secure':
            cookie['secure'] = True
        elif key == 'httponly':
            cookie['httponly'] = True
        elif key == 'samesite':
            cookie['samesite'] = val or None
        elif key == 'path':
            cookie['path'] = val
        elif key == 'max-age':
            cookie['max_age'] = val
        elif key == 'expires':
            cookie['expires'] = val
    return cookie


def cookie_is_deletion(cookie):
    if cookie['max_age'] is not None:
        try:
            return int(cookie['max_age']) <= 0
        except ValueError:
            return False
    exp = cookie['expires'] or ''
    return '1970' in exp


class CookieJar:
    """Browser-side jar for one origin. Secure cookies are kept and sent: in the real
    deployment the browser talks HTTPS to the front end."""

    def __init__(self):
        self.values = {}

    def update(self, set_cookie_headers, step, seen):
        for raw in set_cookie_headers:
            c = parse_set_cookie(raw)
            if c is None:
                continue
            seen.append(
                {
                    'name': c['name'],
                    'secure': c['secure'],
                    'httponly': c['httponly'],
                    'samesite': c['samesite'],
                    'step': step,
                    'deleted': cookie_is_deletion(c),
                }
            )
            if cookie_is_deletion(c):
                self.values.pop(c['name'], None)
            else:
                self.values[c['name']] = c['value']

    def header(self):
        return '; '.join(f'{k}={v}' for k, v in self.values.items())


# --------------------------------------------------------------------------- HTML form


class LoginFormParser(HTMLParser):
    """Finds the form that holds csrfmiddlewaretoken: its action and its hidden token."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # list of dicts: action, token, checked checkboxes
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'form':
            self._current = {'action': a.get('action'), 'token': None, 'checkboxes': []}
            self.forms.append(self._current)
        elif tag == 'input':
            target = self._current
            if target is None:
                target = {'action': None, 'token': None, 'checkboxes': []}
                self.forms.append(target)
                self._current = target
            if a.get('name') == 'csrfmiddlewaretoken' and target['token'] is None:
                target['token'] = a.get('value')
            if (a.get('type') or '').lower() == 'checkbox' and 'checked' in a and a.get('name'):
                target['checkboxes'].append((a['name'], a.get('value') or 'on'))

    def handle_endtag(self, tag):
        if tag == 'form':
            self._current = None

    def login_form(self):
        for f in self.forms:
            if f['token']:
                return f
        return None


# --------------------------------------------------------------------------- server log


class ServerLog:
    """Reads the merged stdout/stderr of the server, keeps the lines, tees them to a file."""

    def __init__(self, stream, path):
        self.lines = []
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.file = open(path, 'w', encoding='utf-8', errors='replace')
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        try:
            for raw in iter(stream.readline, b''):
                line = raw.decode('utf-8', 'replace').rstrip('\r\n')
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
                try:
                    self.file.write(line + '\n')
                    self.file.flush()
                except ValueError:
                    pass
        except (OSError, ValueError):
            pass

    def mark(self):
        with self.lock:
            return len(self.lines)

    def since(self, mark):
        with self.lock:
            return list(self.lines[mark:])

    def wait_for(self, mark, pattern, timeout):
        """Wait until a line matching pattern appears after mark (or timeout)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if any(pattern.search(l) for l in self.lines[mark:]):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)

    def tail(self, n=40):
        with self.lock:
            return list(self.lines[-n:])

    def close(self):
        self.thread.join(timeout=5)
        try:
            self.file.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- HTTP


def http_request(port, method, path, headers, body=None, timeout=30):
    conn = HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        if body is not None:
            conn.putheader('Content-Length', str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.msg, data
    finally:
        conn.close()


def front_end_headers(origin_parts, jar):
    """Headers Cloud Run's front end adds to what the browser sent."""
    scheme, host = origin_parts
    h = [
        ('Host', host),
        ('User-Agent', USER_AGENT),
        ('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'),
        ('X-Forwarded-For', CLIENT_IP),
        ('X-Forwarded-Proto', scheme),
        ('Forwarded', f'for="{CLIENT_IP}";proto={scheme}'),
    ]
    cookie = jar.header()
    if cookie:
        h.append(('Cookie', cookie))
    return h


def split_origin(origin):
    u = urllib.parse.urlsplit(origin.strip())
    if u.scheme not in ('http', 'https') or not u.hostname:
        raise ValueError(f'not an http(s) origin: {origin!r}')
    if u.path not in ('', '/') or u.query or u.fragment:
        raise ValueError(f'origin must not have a path, query or fragment: {origin!r}')
    host = u.hostname.lower()
    if ':' in host:  # IPv6 literal
        host = f'[{host}]'
    if u.port is not None:
        host = f'{host}:{u.port}'
    # What a browser puts in the Origin header: scheme://host[:port], nothing else.
    return u.scheme, host, f'{u.scheme}://{host}'


def location_path(location):
    if not location:
        return None
    return urllib.parse.urlsplit(location).path or '/'


def run_origin(port, origin, email, password, server_log):
    result = {
        'origin': origin,
        'get_status': None,
        'post_status': None,
        'location': None,
        'login_ok': False,
        'session_check': None,
        'cookies': [],
        'log_excerpt': [],
        'error': None,
    }
    mark = server_log.mark()
    jar = CookieJar()
    try:
        scheme, host, browser_origin = split_origin(origin)
        parts = (scheme, host)

        # 1. GET the login page.
        status, msg, body = http_request(port, 'GET', LOGIN_PATH, front_end_headers(parts, jar))
        result['get_status'] = status
        jar.update(msg.get_all('Set-Cookie') or [], 'GET', result['cookies'])
        if status != 200:
            result['error'] = f'GET {LOGIN_PATH} returned {status}'
            return result
        parser = LoginFormParser()
        parser.feed(body.decode('utf-8', 'replace'))
        form = parser.login_form()
        if form is None:
            result['error'] = 'no csrfmiddlewaretoken in the login page'
            return result
        action = urllib.parse.urljoin(LOGIN_PATH, form['action'] or LOGIN_PATH)
        action_u = urllib.parse.urlsplit(action)
        post_path = action_u.path + (f'?{action_u.query}' if action_u.query else '')

        # 2. POST the form back, as the browser would.
        fields = [('csrfmiddlewaretoken', form['token']), ('email', email), ('password', password)]
        fields += form['checkboxes']
        body = urllib.parse.urlencode(fields).encode()
        headers = front_end_headers(parts, jar) + [
            ('Content-Type', 'application/x-www-form-urlencoded'),
            ('Origin', browser_origin),
            ('Referer', f'{browser_origin}{LOGIN_PATH}'),
        ]
        status, msg, _ = http_request(port, 'POST', post_path, headers, body)
        result['post_status'] = status
        result['location'] = msg.get('Location')
        jar.update(msg.get_all('Set-Cookie') or [], 'POST', result['cookies'])
        loc = location_path(result['location'])
        result['login_ok'] = status == 302 and loc is not None and not loc.startswith(LOGIN_PATH)

        # 3. Follow the redirect once with the cookies: does the session authenticate?
        if result['login_ok']:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(post_path, result['location']))
            tpath = target.path + (f'?{target.query}' if target.query else '')
            status, msg, _ = http_request(port, 'GET', tpath, front_end_headers(parts, jar))
            jar.update(msg.get_all('Set-Cookie') or [], 'FOLLOW', result['cookies'])
            floc = msg.get('Location')
            fpath = location_path(floc)
            result['session_check'] = {
                'path': tpath,
                'status': status,
                'location': floc,
                'authenticated': not (fpath or '').startswith(LOGIN_PATH) and status < 400,
            }
    except Exception as e:  # record and go on with the next origin
        result['error'] = f'{type(e).__name__}: {e}'
    finally:
        # The runserver request line ("POST /user/login/ ...") is written after the
        # security log line; wait briefly for it so the excerpt is complete.
        if result['post_status'] is not None:
            server_log.wait_for(mark, re.compile(r'"POST /user/login/'), timeout=3)
        else:
            time.sleep(0.3)
        result['log_excerpt'] = [l for l in server_log.since(mark) if LOG_PATTERN.search(l)]
    return result


# --------------------------------------------------------------------------- server


def port_in_use(port):
    for family, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(1)
                if s.connect_ex((addr, port)) == 0:
                    return True
        except OSError:
            pass
    return False


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _child_setup():
    # Own process group (so everything can be killed at once) and, on Linux, die with us
    # even if we are SIGKILLed.
    os.setsid()
    try:
        import ctypes

        libc = ctypes.CDLL('libc.so.6', use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def kill_group(proc):
    if proc is None or proc.poll() is not None and not _group_alive(proc.pid):
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; give the rest of the group a moment.
        deadline = time.monotonic() + 3
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _group_alive(proc.pid):
            return


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def wait_until_ready(proc, port, server_log, timeout):
    """Poll GET /user/login/ until the server answers. Returns (ok, error)."""
    started_re = re.compile(r'Starting development server at \S+?:(\d+)/?')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False, f'label-studio exited with status {proc.returncode} before answering'
        for line in server_log.since(0):
            m = started_re.search(line)
            if m and int(m.group(1)) != port:
                return False, f'label-studio moved to port {m.group(1)} (port {port} was busy)'
        try:
            status, _, _ = http_request(
                port, 'GET', LOGIN_PATH, [('Host', 'localhost'), ('User-Agent', USER_AGENT)], timeout=10
            )
            if status < 500:
                return True, None
        except (OSError, Exception):
            pass
        time.sleep(1)
    return False, f'login page did not answer within {timeout:.0f} s'


HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te',
              'trailer', 'content-length'}


def tls_front_end(ls_port, work_dir):
    """A TLS-terminating front end on 127.0.0.1 in threads, as Cloud Run's is to the container
    (shared/knowledge/platforms.md §1.4): the Host is passed on, X-Forwarded-Proto is set to
    https (a client's value replaced) and the client is appended to X-Forwarded-For; responses,
    every Set-Cookie included, come back as they are. Self-signed certificate (openssl).
    Returns (server, port)."""
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    cert = os.path.join(work_dir, 'front-end.pem')
    key = os.path.join(work_dir, 'front-end.key')
    subprocess.run(
        ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
         '-subj', '/CN=front-end', '-keyout', key, '-out', cert],
        check=True, capture_output=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *_):
            pass

        def _forward(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP and k.lower() != 'x-forwarded-proto'}
            fwd = self.headers.get('X-Forwarded-For')
            headers['X-Forwarded-For'] = f'{fwd}, {self.client_address[0]}' if fwd else self.client_address[0]
            headers['X-Forwarded-Proto'] = 'https'
            conn = HTTPConnection('127.0.0.1', ls_port, timeout=60)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


def run_verify_script(script, ls_port, work_dir):
    """Runs the generated verify script with bash, its curl reaching this front end for every
    https://HOST (curl --connect-to, certificate not checked: the test made it). Returns
    (exit status, stdout + stderr)."""
    httpd, tls_port = tls_front_end(ls_port, work_dir)
    try:
        bin_dir = os.path.join(work_dir, 'verify-bin')
        os.makedirs(bin_dir, exist_ok=True)
        real_curl = shutil.which('curl') or '/usr/bin/curl'
        wrapper = os.path.join(bin_dir, 'curl')
        with open(wrapper, 'w', encoding='utf-8') as f:
            f.write(f'#!/bin/sh\nexec {real_curl} --connect-to ::127.0.0.1:{tls_port} --insecure "$@"\n')
        os.chmod(wrapper, 0o755)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', '/usr/bin:/bin'))
        done = subprocess.run(['bash', script], env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr
    finally:
        httpd.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--port', type=int, required=True, help='loopback port (0 = pick a free one)')
    ap.add_argument('--env-json', required=True, help='JSON object of env vars for Label Studio')
    ap.add_argument('--origin', action='append', required=True, help='public origin (repeatable)')
    ap.add_argument('--username', help='initial user e-mail (unless the env JSON sets it)')
    ap.add_argument('--password', help='initial user password (unless the env JSON sets it)')
    ap.add_argument('--data-dir', required=True, help='fresh directory for Label Studio data')
    ap.add_argument('--startup-timeout', type=float, default=180)
    ap.add_argument(
        '--expect',
        choices=['login', 'forbidden'],
        help='exit 1 unless every origin logs in (login) or every POST is 403 (forbidden)',
    )
    ap.add_argument('--no-quiet-defaults', action='store_true', help='do not disable Sentry/analytics')
    ap.add_argument('--label-studio', help='label-studio executable (default: next to this python)')
    ap.add_argument('--verify-script', help='a generated verify.sh to run against the server, '
                    'through a TLS front end (its output goes into the report as "verify")')
    args = ap.parse_args()

    out = {
        'results': [],
        'server_started': False,
        'startup_error': None,
        'port': args.port,
        'startup_seconds': None,
        'label_studio_version': None,
        'django_version': None,
        'harness_env_added': [],
        'server_log': None,
    }
    try:
        from importlib.metadata import version

        out['label_studio_version'] = version('label-studio')
        out['django_version'] = version('Django')
    except Exception:
        pass

    proc = None
    server_log = None
    exit_code = 0
    old_handlers = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        env_given = load_env_json(args.env_json)

        # Credentials: the env JSON wins (that is what the server will use).
        env_user = ls_get_env(env_given, 'USERNAME')
        env_pass = ls_get_env(env_given, 'PASSWORD')
        email = env_user if env_user is not None else args.username
        password = env_pass if env_pass is not None else args.password
        if not email or not password:
            raise ValueError('no credentials: give --username/--password or set them in the env JSON')
        for flag, env_val, arg_val in (('username', env_user, args.username), ('password', env_pass, args.password)):
            if env_val is not None and arg_val is not None and env_val != arg_val:
                log(f'--{flag} differs from the env JSON; using the env JSON value')

        exe = args.label_studio or os.path.join(os.path.dirname(os.path.abspath(sys.executable)), 'label-studio')
        if not os.path.exists(exe):
            exe = shutil.which('label-studio') or exe
        if not os.access(exe, os.X_OK):
            raise FileNotFoundError(f'label-studio executable not found: {exe}')

        port = args.port or free_port()
        out['port'] = port
        if port_in_use(port):
            raise RuntimeError(f'port {port} is already in use')

        data_dir = os.path.abspath(args.data_dir)
        os.makedirs(data_dir, exist_ok=True)
        if any(n for n in os.listdir(data_dir) if n != 'label-studio.log' and n != 'home'):
            log(f'warning: {data_dir} is not empty; results may depend on earlier runs')
        home = os.path.join(data_dir, 'home')
        os.makedirs(home, exist_ok=True)

        # Clean environment: only what a container would have plus the given variables.
        env = {
            'PATH': os.pathsep.join([os.path.dirname(exe), '/usr/local/bin', '/usr/bin', '/bin']),
            'HOME': home,
            'LANG': 'C.UTF-8',
            'PYTHONUNBUFFERED': '1',
            'LABEL_STUDIO_BASE_DATA_DIR': data_dir,
        }
        if not args.no_quiet_defaults:
            for name, val in QUIET_DEFAULTS.items():
                if ls_get_env(env_given, name) is None:
                    env[name] = val
                    out['harness_env_added'].append(name)
        env.update(env_given)
        if ls_get_env(env_given, 'BASE_DATA_DIR') not in (None, data_dir):
            log('warning: the env JSON sets BASE_DATA_DIR; --data-dir is not where data goes')

        cmd = [exe, 'start', '--no-browser', '--port', str(port), '--internal-host', '127.0.0.1']
        cmd += ['--data-dir', data_dir]
        if env_user is None or env_pass is None:
            # Label Studio creates the user only if the flag gives a username or the env has both.
            cmd += ['--username', email, '--password', password]

        log_path = os.path.join(data_dir, 'label-studio.log')
        out['server_log'] = log_path
        shown = ' '.join('***' if i > 0 and cmd[i - 1] == '--password' else c for i, c in enumerate(cmd))
        log(f'starting: {shown}')
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=data_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_child_setup,
        )
        server_log = ServerLog(proc.stdout, log_path)
        ok, err = wait_until_ready(proc, port, server_log, args.startup_timeout)
        out['startup_seconds'] = round(time.monotonic() - t0, 1)
        if not ok:
            out['startup_error'] = err + '\n' + '\n'.join(server_log.tail(40))
            exit_code = 3
        else:
            out['server_started'] = True
            log(f'server answered after {out["startup_seconds"]} s')
            for origin in args.origin:
                r = run_origin(port, origin, email, password, server_log)
                log(f'{origin}: GET {r["get_status"]} POST {r["post_status"]} -> {r["location"]}')
                out['results'].append(r)
            if args.verify_script:
                status, output = run_verify_script(args.verify_script, port, data_dir)
                out['verify'] = {'status': status, 'output': output}
                log(f'verify script: exit {status}')
            if args.expect == 'login':
                if not all(r['login_ok'] for r in out['results']):
                    exit_code = 1
            elif args.expect == 'forbidden':
                if not all(r['post_status'] == 403 for r in out['results']):
                    exit_code = 1
    except (Interrupted, KeyboardInterrupt) as e:
        out['startup_error'] = out['startup_error'] or f'interrupted: {e}'
        exit_code = 130
    except Exception as e:
        msg = f'{type(e).__name__}: {e}'
        if not isinstance(e, (ValueError, FileNotFoundError, RuntimeError, OSError)):
            msg += '\n' + traceback.format_exc()
        if out['server_started']:
            out['error'] = msg
            exit_code = 1
        else:
            out['startup_error'] = out['startup_error'] or msg
            exit_code = 3
    finally:
        try:
            kill_group(proc)
        finally:
            if server_log is not None:
                server_log.close()
            for s, h in old_handlers.items():
                signal.signal(s, h)
    print(json.dumps(out, indent=2))
    sys.stdout.flush()
    return exit_code


if __name__ == '__main__':
    sys.exit(main())
