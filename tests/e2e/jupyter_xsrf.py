#!/usr/bin/env python3
"""XSRF behind a TLS-terminating front end, with the real JupyterHub, Jupyter Server and Tornado.

Run with the python of a venv made by venv.sh (see tests/e2e_jupyter.rs for the pins):

    "$PY" tests/e2e/jupyter_xsrf.py hub --workdir DIR --chp PATH/configurable-http-proxy \
        --public https://hub.example.org [--config jupyterhub_config.py] [--dotenv jupyterhub.env] \
        [--replicas alternate|same]
    "$PY" tests/e2e/jupyter_xsrf.py server --workdir DIR --public https://lab.example.org \
        --token TOKEN [--config jupyter_server_config.py] [--dotenv jupyter-server.env]
    "$PY" tests/e2e/jupyter_xsrf.py tornado --public https://app.example.org \
        [--module proxytrust_tornado.py --dotenv tornado.env]

The emulated front end. Every request goes over plain HTTP to a port on 127.0.0.1, as Cloud Run's
front end sends it to the container: `Host: <public host>`, `X-Forwarded-Proto: https`,
`X-Forwarded-For: 203.0.113.7` (the browser's address; a header value only). What a browser on
the https side adds is sent too: `User-Agent`, `Sec-Fetch-Mode`/`Sec-Fetch-Site`, `Origin` on
POSTs. Cookies are kept by hand (Secure ones are sent: the browser's side is https). With
`--replicas alternate`, consecutive requests leave from 127.0.0.2 and 127.0.0.3, two front-end
replicas that do not pass the client address on in a way the app trusts.

`hub`: the real `jupyterhub` (which starts the real configurable-http-proxy from npm, as in the
official image) with a config file made of the generated `jupyterhub_config.py` (with `--config`;
nothing without it) followed by harness lines: loopback ports, a SQLite file, the dummy
authenticator (any password), the simple local-process spawner running the venv's
`jupyterhub-singleuser` (plus `--ServerApp.allow_root=True`: tests run as root). The harness
overrides the generated `bind_url` port (and binds loopback only). Steps: log in as `alice`
(login page and POST through the replicas), a cookie-authenticated Hub API POST without `_xsrf`,
the same with `X-XSRFToken` (creates an API token), then the generated client code (read from the
snippet's `--- client ---` block, HUB pointed at the loopback port) starts alice's server with the
token; the browser follows the OAuth redirects into the single-user server; a cookie-authenticated
POST to its contents API without `_xsrf`; the client code's token POST to the same API.

`server`: the real `jupyter server` with the generated `jupyter_server_config.py` (or, without
`--config`, only the harness lines), env from the generated dotenv (JUPYTER_TOKEN,
JUPYTER_COOKIE_SECRET) plus PORT. Harness lines: `ip = "127.0.0.1"` with
`allow_remote_access = True` (what the generated `0.0.0.0` implies, kept on loopback), a root dir,
`allow_root`. Steps: token login through the login form, cookie flags, cookie POST without
`_xsrf`, with `X-XSRFToken`, and the client code's token POST.

`tornado`: an app in this process. With `--module` it imports the generated module and uses its
SETTINGS, BaseHandler and serve(address="127.0.0.1"); without it a plain
`Application(cookie_secret=..., xsrf_cookies=True)` behind `HTTPServer(app)`. Steps: the page
(protocol, remote_ip and full_url the app sees, the XSRF cookie), POST without a token, with the
cookie's value in X-XSRFToken read with the regular expression of the snippet's JavaScript, and
with `Authorization: token <API_TOKEN>` (right and wrong token).

Prints one JSON document on stdout. Servers run in their own process group and are killed at the
end (PR_SET_PDEATHSIG on Linux too). Exit 0 when it ran; 2 on bad arguments; 3 when a server did
not start.
"""

import argparse
import http.client
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
from importlib.metadata import PackageNotFoundError, version

for _k in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'):
    os.environ.pop(_k, None)
os.environ['NO_PROXY'] = '127.0.0.1,localhost'

UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
CLIENT_IP = '203.0.113.7'
REPLICAS = ('127.0.0.2', '127.0.0.3')


class Failed(Exception):
    pass


def pkg_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def read_dotenv(path):
    """The variables a shell gets from `set -a; . FILE; set +a` (bash reads the file)."""
    names = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)=', line)
            if m:
                names.append(m.group(1))
    script = 'set -a; . "$1"; set +a; for n in "${@:2}"; do printf "%s\\0%s\\0" "$n" "${!n-}"; done'
    out = subprocess.run(
        ['bash', '-c', script, 'read-dotenv', path, *names],
        env={'PATH': os.environ.get('PATH', '/usr/bin:/bin')},
        capture_output=True,
        check=True,
    ).stdout.decode('utf-8')
    parts = out.split('\0')[:-1]
    return dict(zip(parts[0::2], parts[1::2]))


def client_code(snippet_path):
    """The generated client code: the comment block between `--- client ---` markers."""
    text = open(snippet_path, encoding='utf-8').read()
    m = re.search(r'^# --- client ---\n(.*?)^# --- end client ---$', text, re.S | re.M)
    if not m:
        raise Failed('no client block in the snippet')
    lines = []
    for line in m.group(1).splitlines():
        if line == '#':
            lines.append('')
        elif line.startswith('#   '):
            lines.append(line[4:])
        else:
            raise Failed(f'unexpected client line: {line!r}')
    return '\n'.join(lines) + '\n'


def run_client(code, base_name, base, fn_name, *call):
    """exec the generated client code, point its base URL at the loopback port, call it."""
    ns = {}
    exec(compile(code, 'generated-client', 'exec'), ns)
    generated_base = ns[base_name]
    ns[base_name] = base
    try:
        status, body = ns[fn_name](*call)
        return {'status': status, 'body': body, 'generated_base': generated_base}
    except urllib.error.HTTPError as e:
        return {'status': e.code, 'body': e.read().decode('utf-8', 'replace')[:500],
                'generated_base': generated_base}


# --- the browser behind the emulated front end ---------------------------------------------


class Browser:
    def __init__(self, port, public, replicas='same'):
        self.port = port
        u = urllib.parse.urlsplit(public)
        self.public = f'{u.scheme}://{u.netloc}'
        self.host = u.netloc
        self.proto = u.scheme
        self.replicas = REPLICAS if replicas == 'alternate' else REPLICAS[:1]
        self.n = 0
        self.jar = {}  # (name, path) -> attributes
        self.log = []

    def _path_matches(self, cookie_path, path):
        path = path.split('?', 1)[0]
        return path == cookie_path or (
            path.startswith(cookie_path)
            and (cookie_path.endswith('/') or path[len(cookie_path):].startswith('/'))
        )

    def cookie_header(self, path):
        found = [
            (p, name, a['value'])
            for (name, p), a in self.jar.items()
            if self._path_matches(p, path)
        ]
        found.sort(key=lambda t: -len(t[0]))
        return '; '.join(f'{n}={v}' for _, n, v in found)

    def store(self, header, request_path):
        parts = [p.strip() for p in header.split(';')]
        name, _, value = parts[0].partition('=')
        attrs = {'value': value, 'secure': False, 'httponly': False, 'samesite': None,
                 'path': None, 'max_age': None, 'expires': None}
        for p in parts[1:]:
            k, _, v = p.partition('=')
            k = k.strip().lower()
            if k in ('secure', 'httponly'):
                attrs[k] = True
            elif k in ('samesite', 'path', 'expires'):
                attrs[k.replace('-', '_')] = v
            elif k == 'max-age':
                attrs['max_age'] = v
        path = attrs['path'] or (request_path.split('?', 1)[0].rsplit('/', 1)[0] or '/')
        deleted = (attrs['max_age'] is not None and int(attrs['max_age']) <= 0) or (
            attrs['expires'] is not None and re.search(r'19[0-9]{2}|20[01][0-9]|202[0-4]', attrs['expires'])
        )
        self.log.append({'name': name, 'path': path, 'secure': attrs['secure'],
                         'httponly': attrs['httponly'], 'samesite': attrs['samesite'],
                         'deleted': bool(deleted), 'on': request_path.split('?', 1)[0]})
        if deleted:
            self.jar.pop((name, path), None)
        else:
            attrs['path'] = path
            self.jar[(name, path)] = attrs

    def cookie(self, name, path=None):
        for (n, p), a in self.jar.items():
            if n == name and (path is None or p == path):
                return a
        return None

    def request(self, method, path, body=None, headers=None, mode='navigate', replica=None):
        src = replica or self.replicas[self.n % len(self.replicas)]
        self.n += 1
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60, source_address=(src, 0))
        h = {
            'Host': self.host,
            'User-Agent': UA,
            'X-Forwarded-Proto': self.proto,
            'X-Forwarded-For': CLIENT_IP,
            'Sec-Fetch-Mode': mode,
            'Sec-Fetch-Site': 'same-origin',
        }
        if method not in ('GET', 'HEAD'):
            h['Origin'] = self.public
        cookie = self.cookie_header(path)
        if cookie:
            h['Cookie'] = cookie
        h.update(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            h.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        for v in resp.headers.get_all('Set-Cookie') or []:
            self.store(v, path)
        conn.close()
        return resp.status, resp.headers, data.decode('utf-8', 'replace'), src

    def local_path(self, location):
        u = urllib.parse.urlsplit(location)
        if u.netloc and u.netloc != self.host:
            raise Failed(f'redirect off the public host: {location}')
        return urllib.parse.urlunsplit(('', '', u.path or '/', u.query, ''))

    def navigate(self, path, limit=10):
        chain = []
        for _ in range(limit):
            status, headers, body, src = self.request('GET', path)
            chain.append({'path': path.split('?', 1)[0], 'status': status})
            if status in (301, 302, 303, 307) and headers.get('Location'):
                path = self.local_path(headers['Location'])
                continue
            return status, body, chain
        raise Failed(f'too many redirects: {chain}')


def message_of(body):
    try:
        return json.loads(body).get('message')
    except (ValueError, AttributeError):
        m = re.search(r'<p class="login_error">\s*(.*?)\s*</p>|<p>(.*?)</p>', body, re.S)
        return (m.group(1) or m.group(2)).strip() if m else body[:200]


# --- processes ------------------------------------------------------------------------------


def _child_setup():
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def kill_group(proc):
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            time.sleep(0.3)
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def start(cmd, env, log_path, cwd):
    log = open(log_path, 'wb')
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, preexec_fn=_child_setup)


def wait_http(proc, port, path, timeout, log_path, ok=(200,)):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failed(f'process exited ({proc.returncode}): ' + tail(log_path))
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
            conn.request('GET', path)
            status = conn.getresponse().status
            conn.close()
            if status in ok:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise Failed(f'no answer on {path} after {timeout}s: ' + tail(log_path))


def tail(path, n=30):
    try:
        return '\n'.join(open(path, encoding='utf-8', errors='replace').read().splitlines()[-n:])
    except OSError:
        return ''


def log_lines(path, pattern):
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
    except OSError:
        return []
    return [l for l in text.splitlines() if re.search(pattern, l)]


def base_env(workdir, extra):
    venv_bin = os.path.dirname(sys.executable)
    node_dir = os.path.dirname(os.path.realpath(subprocess.check_output(['bash', '-c', 'command -v node'], text=True).strip()))
    home = os.path.join(workdir, 'home')
    os.makedirs(home, exist_ok=True)
    env = {
        'PATH': f'{venv_bin}:{node_dir}:/usr/local/bin:/usr/bin:/bin',
        'HOME': home,
        'LANG': 'C.UTF-8',
        'PYTHONUNBUFFERED': '1',
        'NO_PROXY': '127.0.0.1,localhost',
        'JUPYTER_PLATFORM_DIRS': '1',
    }
    env.update(extra)
    return env


# --- hub ------------------------------------------------------------------------------------


def run_hub(a):
    workdir = os.path.abspath(a.workdir)
    os.makedirs(workdir, exist_ok=True)
    port, api_port, hub_port = free_port(), free_port(), free_port()
    venv_bin = os.path.dirname(sys.executable)
    generated = open(a.config, encoding='utf-8').read() if a.config else ''
    harness = f'''
# --- harness: loopback ports, files, users (appended after the generated config) ---
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{a.chp!r}]
c.ConfigurableHTTPProxy.pid_file = {os.path.join(workdir, 'proxy.pid')!r}
c.JupyterHub.db_url = "sqlite:///" + {os.path.join(workdir, 'jupyterhub.sqlite')!r}
c.JupyterHub.cookie_secret_file = {os.path.join(workdir, 'jupyterhub_cookie_secret')!r}
c.JupyterHub.pid_file = {os.path.join(workdir, 'jupyterhub.pid')!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [{os.path.join(venv_bin, 'jupyterhub-singleuser')!r}]
c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.SimpleLocalProcessSpawner.home_dir_template = {os.path.join(workdir, 'users', '{username}')!r}
c.JupyterHub.log_level = "DEBUG"
c.Spawner.debug = True
'''
    config_path = os.path.join(workdir, 'jupyterhub_config.py')
    with open(config_path, 'w', encoding='utf-8') as f:
        f.write(generated + harness)
    env_from_dotenv = read_dotenv(a.dotenv) if a.dotenv else {}
    env_from_dotenv.pop('PORT', None)
    env = base_env(workdir, env_from_dotenv)
    log_path = os.path.join(workdir, 'hub.log')
    out = {
        'versions': {p: pkg_version(p) for p in ('jupyterhub', 'jupyter-server', 'tornado')},
        'chp': a.chp,
        'env_from_dotenv': sorted(env_from_dotenv),
        'generated_config': bool(a.config),
        'replicas': a.replicas,
    }
    proc = start([os.path.join(venv_bin, 'jupyterhub'), '-f', config_path], env, log_path, workdir)
    try:
        wait_http(proc, port, '/hub/api/', 90, log_path)
        b = Browser(port, a.public, a.replicas)
        # 1. Log in as a browser does.
        status, _, body, src_get = b.request('GET', '/hub/login')
        m = re.search(r'name="_xsrf" value="([^"]*)"', body)
        form_xsrf = m.group(1) if m else ''
        status_post, headers, body, src_post = b.request(
            'POST', '/hub/login', {'_xsrf': form_xsrf, 'username': 'alice', 'password': 'any'})
        out['login'] = {
            'get_status': status, 'post_status': status_post,
            'replica_get': src_get, 'replica_post': src_post,
            'location': headers.get('Location'), 'message': message_of(body) if status_post != 302 else None,
        }
        out['login_log'] = log_lines(log_path, r'XSRF|Login form invalid')
        if status_post != 302 and a.replicas == 'alternate':
            # The same login through one replica, to see the cookies a successful login sets.
            b.replicas = REPLICAS[:1]
            status, _, body, _ = b.request('GET', '/hub/login')
            m = re.search(r'name="_xsrf" value="([^"]*)"', body)
            status_post, _, _, _ = b.request(
                'POST', '/hub/login', {'_xsrf': m.group(1) if m else '', 'username': 'alice', 'password': 'any'})
            out['login_one_replica'] = {'post_status': status_post}
        out['remote_ips_seen'] = sorted(set(
            re.findall(r'\d{3} (?:GET|POST) /hub/login\S*(?: -> \S+)? \((?:[^@)\s]*@)?([^)\s]*)\)',
                       open(log_path, errors='replace').read())))
        out['set_cookies'] = list(b.log)
        login = b.cookie('jupyterhub-hub-login')
        out['login_cookie'] = login and {k: login[k] for k in ('secure', 'httponly', 'path')}
        if not login:
            return out
        # 2. Cookie-authenticated Hub API POST without _xsrf, then with X-XSRFToken.
        api_headers = {'Content-Type': 'application/json'}
        st, _, body, _ = b.request('POST', '/hub/api/users/alice/tokens', '{"note": "no xsrf"}',
                                   api_headers, mode='cors')
        out['hub_api_cookie_no_xsrf'] = {'status': st, 'message': message_of(body)}
        # The token page, where users make tokens (its page view refreshes the _xsrf cookie for the
        # logged-in session, as any Hub page does).
        st, _, _ = b.navigate('/hub/token')
        out['token_page'] = st
        xsrf = b.cookie('_xsrf', '/hub/')
        st, _, body, _ = b.request('POST', '/hub/api/users/alice/tokens', '{"note": "e2e"}',
                                   dict(api_headers, **{'X-XSRFToken': xsrf['value'] if xsrf else ''}),
                                   mode='cors')
        out['hub_api_cookie_with_xsrf'] = {'status': st}
        token = json.loads(body).get('token') if st in (200, 201) else None
        if not token:
            out['hub_api_cookie_with_xsrf']['message'] = message_of(body)
            return out
        if not a.config:
            return out
        # 3. The generated client code with the token: start alice's server (no _xsrf, no cookie).
        os.environ['JUPYTERHUB_API_TOKEN'] = token
        code = client_code(a.config)
        hub = f'http://127.0.0.1:{port}'
        out['client_spawn'] = run_client(code, 'HUB', hub, 'hub_api', 'POST', '/hub/api/users/alice/server')
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline:
            r = run_client(code, 'HUB', hub, 'hub_api', 'GET', '/hub/api/users/alice')
            if r['status'] == 200 and r['body'].get('server'):
                ready = True
                break
            time.sleep(0.5)
        out['server_ready'] = ready
        if not ready:
            out['hub_log_tail'] = tail(log_path, 40)
            return out
        # 4. The browser opens the server: OAuth redirects through the Hub, then a cookie.
        st, body, chain = b.navigate('/user/alice/files/proxytrust-e2e.txt')
        out['oauth'] = {'status': st, 'chain': chain}
        st, _, body, _ = b.request('POST', '/user/alice/api/contents', '{"type": "notebook"}',
                                   api_headers, mode='cors')
        out['singleuser_cookie_no_xsrf'] = {'status': st, 'message': message_of(body)}
        xsrf = b.cookie('_xsrf', '/user/alice/')
        st, _, body, _ = b.request('POST', '/user/alice/api/contents', '{"type": "notebook"}',
                                   dict(api_headers, **{'X-XSRFToken': xsrf['value'] if xsrf else ''}),
                                   mode='cors')
        out['singleuser_cookie_with_xsrf'] = {'status': st, 'had_xsrf_cookie': bool(xsrf)}
        out['singleuser_client_token'] = run_client(
            code, 'HUB', hub, 'hub_api', 'POST', '/user/alice/api/contents', {'type': 'notebook'})
        if isinstance(out['singleuser_client_token'].get('body'), dict):
            out['singleuser_client_token']['body'] = {
                k: out['singleuser_client_token']['body'].get(k) for k in ('name', 'type')}
        time.sleep(0.5)
        out['singleuser_log'] = log_lines(log_path, r"Not accepting cookie auth|_xsrf' argument|XSRF cookie")
        return out
    finally:
        kill_group(proc)
        out['hub_log'] = log_path


# --- jupyter server -------------------------------------------------------------------------


def run_server(a):
    workdir = os.path.abspath(a.workdir)
    root = os.path.join(workdir, 'root')
    os.makedirs(root, exist_ok=True)
    port = free_port()
    generated = open(a.config, encoding='utf-8').read() if a.config else ''
    harness = f'''
# --- harness (appended after the generated config) ---
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_remote_access = True
c.ServerApp.port = {port}
c.ServerApp.root_dir = {root!r}
c.ServerApp.allow_root = True
c.ServerApp.open_browser = False
'''
    config_path = os.path.join(workdir, 'jupyter_server_config.py')
    with open(config_path, 'w', encoding='utf-8') as f:
        f.write(generated + harness)
    env_vars = read_dotenv(a.dotenv) if a.dotenv else {}
    env_vars['PORT'] = str(port)
    env_vars.setdefault('JUPYTER_TOKEN', a.token)
    env = base_env(workdir, env_vars)
    log_path = os.path.join(workdir, 'server.log')
    venv_bin = os.path.dirname(sys.executable)
    out = {'versions': {p: pkg_version(p) for p in ('jupyter-server', 'tornado')},
           'generated_config': bool(a.config), 'env_from_dotenv': sorted(k for k in env_vars if k != 'PORT')}
    proc = start([os.path.join(venv_bin, 'jupyter-server'), f'--config={config_path}'], env, log_path, workdir)
    try:
        wait_http(proc, port, '/api', 60, log_path)
        b = Browser(port, a.public)
        token = env_vars['JUPYTER_TOKEN']
        st, _, body, _ = b.request('GET', '/login')
        xsrf = b.cookie('_xsrf')
        st, headers, body, _ = b.request('POST', '/login', {'_xsrf': xsrf['value'] if xsrf else '', 'password': token})
        out['login'] = {'status': st, 'location': headers.get('Location')}
        login = next(((n, a_) for (n, _p), a_ in b.jar.items() if n.startswith('username-')), None)
        out['login_cookie'] = login and {'name': login[0], 'secure': login[1]['secure'], 'httponly': login[1]['httponly']}
        api_headers = {'Content-Type': 'application/json'}
        st, _, body, _ = b.request('POST', '/api/contents', '{"type": "notebook"}', api_headers, mode='cors')
        out['cookie_no_xsrf'] = {'status': st, 'message': message_of(body)}
        xsrf = b.cookie('_xsrf')
        st, _, body, _ = b.request('POST', '/api/contents', '{"type": "notebook"}',
                                   dict(api_headers, **{'X-XSRFToken': xsrf['value'] if xsrf else ''}), mode='cors')
        out['cookie_with_xsrf'] = {'status': st}
        os.environ['JUPYTER_TOKEN'] = token
        if a.config:
            r = run_client(client_code(a.config), 'SERVER', f'http://127.0.0.1:{port}', 'server_api',
                           'POST', '/api/contents', {'type': 'notebook'})
            if isinstance(r.get('body'), dict):
                r['body'] = {k: r['body'].get(k) for k in ('name', 'type')}
            out['client_token'] = r
        time.sleep(0.3)
        out['log_xsrf'] = log_lines(log_path, r"_xsrf' argument|XSRF cookie")
        out['log_client_ips'] = sorted(set(re.findall(r'\d{3} POST /login\S* \((?:[^@)]*@)?([^)\s]*)\)', open(log_path, errors='replace').read())))
        return out
    finally:
        kill_group(proc)
        out['server_log'] = log_path


# --- tornado --------------------------------------------------------------------------------


def run_tornado(a):
    import asyncio

    import tornado.httpserver
    import tornado.web

    env = read_dotenv(a.dotenv) if a.dotenv else {}
    os.environ.update(env)
    mod = None
    if a.module:
        spec = importlib.util.spec_from_file_location('proxytrust_tornado', a.module)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        base = mod.BaseHandler
        settings = dict(mod.SETTINGS)
    else:
        base = tornado.web.RequestHandler
        settings = {'cookie_secret': 'harness-secret', 'xsrf_cookies': True}

    class Page(base):
        def get(self):
            self.xsrf_token  # sets the XSRF cookie, as xsrf_form_html() in a template does
            self.write({'protocol': self.request.protocol, 'remote_ip': self.request.remote_ip,
                        'full_url': self.request.full_url()})

    class Items(base):
        def post(self):
            self.write({'ok': True, 'user': self.current_user if isinstance(self.current_user, str) else None})

    port = free_port()
    result = {}
    started = threading.Event()
    holder = {}

    def serve_thread():
        async def main():
            app = tornado.web.Application([(r'/', Page), (r'/api/items', Items)], **settings)
            if mod is not None:
                server = mod.serve(app, port, address='127.0.0.1')
            else:
                server = tornado.httpserver.HTTPServer(app)
                server.listen(port, '127.0.0.1')
            holder['stop'] = asyncio.Event()
            started.set()
            await holder['stop'].wait()
            server.stop()

        holder['loop'] = asyncio.new_event_loop()
        holder['loop'].run_until_complete(main())

    import logging

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            line = f'{record.levelname}:{record.name}:{record.getMessage()}'
            if record.exc_info and record.exc_info[1] is not None:
                line += f' [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]'
            records.append(line)

    logging.getLogger('tornado').addHandler(Keep())
    logging.getLogger('tornado').setLevel(logging.INFO)
    t = threading.Thread(target=serve_thread, daemon=True)
    t.start()
    if not started.wait(10):
        raise Failed('tornado did not start')
    try:
        b = Browser(port, a.public)
        st, _, body, _ = b.request('GET', '/')
        result['page_status'] = st
        result['page'] = json.loads(body) if st == 200 else None
        name = settings.get('xsrf_cookie_name', '_xsrf')
        cookie = b.cookie(name)
        result['xsrf_cookie'] = cookie and {'name': name, 'secure': cookie['secure'],
                                            'httponly': cookie['httponly'], 'samesite': cookie['samesite']}
        st, _, body, _ = b.request('POST', '/api/items', '{}', {'Content-Type': 'application/json'}, mode='cors')
        result['post_no_token'] = st
        # The page's JavaScript: the snippet's regular expression on document.cookie.
        js_cookie = '; '.join(f'{n}={v["value"]}' for (n, _p), v in b.jar.items())
        if a.module:
            snippet = open(a.module, encoding='utf-8').read()
            m = re.search(r'document\.cookie\.match\(/(.*?)/\)', snippet)
            pattern = m.group(1) if m else None
        else:
            pattern = r'(?:^|; )_xsrf=([^;]*)'
        result['js_pattern'] = pattern
        found = re.search(pattern, js_cookie) if pattern else None
        token = urllib.parse.unquote(found.group(1)) if found else ''
        st, _, body, _ = b.request('POST', '/api/items', '{}', {'Content-Type': 'application/json',
                                                                'X-XSRFToken': token}, mode='cors')
        result['post_with_header'] = st
        if env.get('API_TOKEN'):
            for label, value in (('right', env['API_TOKEN']), ('wrong', 'not-the-token')):
                st, _, body, _ = b.request('POST', '/api/items', '{}', {'Authorization': f'token {value}'},
                                           mode='cors')
                result[f'post_api_token_{label}'] = {'status': st, 'body': json.loads(body) if st == 200 else None}
    finally:
        holder['loop'].call_soon_threadsafe(holder['stop'].set)
        t.join(5)
    result['log'] = [r for r in records if 'xsrf' in r.lower() or r.startswith('ERROR')]
    result['versions'] = {'tornado': pkg_version('tornado')}
    result['module'] = bool(a.module)
    return result


# --- the anonymous XSRF id of the real jupyterhub package ------------------------------------


CIDR_PROBE = r'''
import json, sys
from types import SimpleNamespace
from jupyterhub._xsrf_utils import _anonymous_xsrf_id
def anon(ip):
    request = SimpleNamespace(remote_ip=ip, headers={"User-Agent": sys.argv[1]})
    return _anonymous_xsrf_id(SimpleNamespace(request=request))
pairs = {
    "loopback": ("127.0.0.2", "127.0.0.3"),
    "loopback_mapped": ("::ffff:127.0.0.2", "::ffff:127.0.0.3"),
    "private": ("10.0.0.5", "10.0.0.6"),
    "private_mapped": ("::ffff:10.0.0.5", "::ffff:10.0.0.6"),
    "public": ("198.51.100.5", "198.51.100.6"),
}
print(json.dumps({k: anon(a) == anon(b) for k, (a, b) in pairs.items()}))
'''


def run_cidrs(a):
    """Whether two front-end addresses give the same anonymous XSRF id (the login form's), with
    JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS set to each value (read when the module is imported)."""
    out = {'jupyterhub': pkg_version('jupyterhub'), 'same_id': {}}
    for value in a.value:
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        if value:
            env['JUPYTERHUB_XSRF_ANONYMOUS_IP_CIDRS'] = value
        r = subprocess.run([sys.executable, '-c', CIDR_PROBE, UA], env=env, capture_output=True, text=True,
                           check=True)
        out['same_id'][value or '(unset)'] = json.loads(r.stdout)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    h = sub.add_parser('hub')
    h.add_argument('--workdir', required=True)
    h.add_argument('--chp', required=True)
    h.add_argument('--public', required=True)
    h.add_argument('--config')
    h.add_argument('--dotenv')
    h.add_argument('--replicas', choices=('alternate', 'same'), default='same')
    s = sub.add_parser('server')
    s.add_argument('--workdir', required=True)
    s.add_argument('--public', required=True)
    s.add_argument('--token', required=True)
    s.add_argument('--config')
    s.add_argument('--dotenv')
    t = sub.add_parser('tornado')
    t.add_argument('--public', required=True)
    t.add_argument('--module')
    t.add_argument('--dotenv')
    c = sub.add_parser('cidrs')
    c.add_argument('--value', action='append', default=[])
    a = p.parse_args()
    try:
        out = {'hub': run_hub, 'server': run_server, 'tornado': run_tornado, 'cidrs': run_cidrs}[a.cmd](a)
    except Failed as e:
        print(json.dumps({'error': str(e)}, indent=1))
        return 3
    print(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == '__main__':
    sys.exit(main())
