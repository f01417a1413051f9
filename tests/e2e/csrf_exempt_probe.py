#!/usr/bin/env python3
"""starlette-csrf from PyPI against FastAPI routers mounted under a prefix.

Run with the python of a venv made by venv.sh:

    PY=$(tests/e2e/venv.sh starlette-csrf starlette-csrf==3.0.0 starlette==1.10.0 \
        fastapi==0.163.2 itsdangerous==2.2.0 httpx==0.28.1 python-socketio==5.18.1)
    "$PY" tests/e2e/csrf_exempt_probe.py --plan plan.json

starlette-csrf 3.0.0 is also what RomM 3.x-4.4.0 locks (poetry.lock / uv.lock).

plan.json: {"scenarios": [SCENARIO, ...]}. Each scenario builds one app, in process (httpx's
ASGI transport; nothing listens on a port):
* a FastAPI app whose APIRouter is included with `prefix` and has POST /token (returns an access
  token), POST /login, GET and POST /items; a WebSocket route /live outside the
  prefix; one python-socketio ASGIApp per entry of `mounts`, mounted there with
  socketio_path "<mount>/socket.io" (how RomM mounts /ws and /netplay).
* its CSRF middleware, one of:
  - "patterns": starlette-csrf's CSRFMiddleware with these exempt_urls, used as is
    ("middleware": "plain") or through a subclass that passes non-HTTP scopes to the app, as
    RomM's CustomCSRFMiddleware does up to 4.4.0 ("middleware": "http-only");
  - "snippet" with "kind": "fastapi": the module ProxyTrust generated, imported after its
    environment is loaded from "dotenv" (read by bash, `set -a; . FILE`), then `add_csrf(app)`;
  - "snippet" with "kind": "romm": the CSRF block ProxyTrust generated for RomM's main.py,
    executed with the names main.py has at that point (`app`, `CustomCSRFMiddleware` /
    `CSRFMiddleware` as the http-only subclass, `ROMM_AUTH_SECRET_KEY` from "dotenv",
    `DISABLE_CSRF_PROTECTION=False`, `IS_PYTEST_RUN=False`, `ROMM_SESSION_SECURE_COOKIE`).
  "cookie_name" / "header_name" name the pair the client uses (defaults csrftoken, x-csrftoken).

Probes, as a browser or an API client behind an https front end would send them:
GET <prefix>/items (Set-Cookie), POST <prefix>/token without a token, POST <prefix>/items
without a token, with the cookie and header, with only `Authorization: Bearer`, with only the
session cookie named by "session_cookie" (if any), the same token
on a second instance of the app (same configuration; with "second_secret" another secret),
the Socket.IO polling handshake and one POST on each mount, and a WebSocket to /live.

Prints one JSON document: {"versions": {...}, "results": {NAME: {...}}}. Exit 0 when it ran.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import re
import subprocess
import sys
import traceback
import warnings
from importlib.metadata import version

import httpx
import socketio
from fastapi import APIRouter, FastAPI, WebSocket
from starlette_csrf import CSRFMiddleware

with warnings.catch_warnings():
    # Starlette 1.10 suggests httpx2 for its TestClient; httpx still works (used only for the
    # WebSocket probe).
    warnings.simplefilter('ignore')
    from starlette.testclient import TestClient

HOST = 'app-abc123-uc.a.run.app'


def read_dotenv(path):
    """The variables a shell gets from `set -a; . FILE; set +a`."""
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


class HttpOnlyScopes(CSRFMiddleware):
    """Non-HTTP scopes go straight to the app (RomM's CustomCSRFMiddleware up to 4.4.0)."""

    async def __call__(self, scope, receive, send):
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def routes(prefix, mounts):
    app = FastAPI()
    router = APIRouter()

    @router.post('/token')
    async def token():
        return {'access_token': 'fake-access-token', 'token_type': 'bearer'}

    @router.post('/login')
    async def login():
        return {'logged_in': True}

    @router.get('/items')
    async def list_items():
        return []

    @router.post('/items')
    async def create_item():
        return {'created': True}

    app.include_router(router, prefix=prefix)

    @app.websocket('/live')
    async def live(ws: WebSocket):
        await ws.accept()
        await ws.send_text('hello')
        await ws.close()

    for m in mounts:
        sio = socketio.AsyncServer(async_mode='asgi', cors_allowed_origins='*')
        app.mount(m, socketio.ASGIApp(sio, socketio_path=f'{m}/socket.io'))
    return app


def build(sc, secret_override=None):
    """One app instance for scenario `sc`."""
    app = routes(sc['prefix'], sc.get('mounts', []))
    env = read_dotenv(sc['dotenv']) if sc.get('dotenv') else {}
    if 'patterns' in sc:
        cls = HttpOnlyScopes if sc.get('middleware') == 'http-only' else CSRFMiddleware
        app.add_middleware(
            cls,
            secret=secret_override or sc['secret'],
            exempt_urls=[re.compile(p) for p in sc['patterns']],
            cookie_name=sc.get('cookie_name', 'csrftoken'),
        )
    elif sc['kind'] == 'fastapi':
        old = dict(os.environ)
        os.environ.update(env)
        if secret_override:
            os.environ[sc['secret_env']] = secret_override
        try:
            spec = importlib.util.spec_from_file_location(f'csrf_{sc["name"]}', sc['snippet'])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.add_csrf(app)
        finally:
            os.environ.clear()
            os.environ.update(old)
    elif sc['kind'] == 'romm':
        with open(sc['snippet'], encoding='utf-8') as f:
            source = f.read()
        namespace = {
            'app': app,
            'CustomCSRFMiddleware': HttpOnlyScopes,
            'CSRFMiddleware': HttpOnlyScopes,
            'ROMM_AUTH_SECRET_KEY': secret_override or env['ROMM_AUTH_SECRET_KEY'],
            'ROMM_SESSION_SECURE_COOKIE': env.get('ROMM_SESSION_SECURE_COOKIE', '') == 'true',
            'DISABLE_CSRF_PROTECTION': False,
            'IS_PYTEST_RUN': False,
        }
        exec(compile(source, sc['snippet'], 'exec'), namespace)
        sc['_exempt_urls'] = [p.pattern for p in namespace['CSRF_EXEMPT_URLS']]
    return app


def client(app):
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f'https://{HOST}'
    )


def cookie_attrs(set_cookie):
    parts = [p.strip() for p in set_cookie.split(';')]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition('=')
        attrs[k.lower()] = v.lower() if v else True
    return attrs


async def probe(sc):
    prefix = sc['prefix']
    name = sc.get('cookie_name', 'csrftoken')
    header = sc.get('header_name', 'x-csrftoken')
    out = {}
    app = build(sc)
    async with client(app) as c:
        r = await c.get(f'{prefix}/items')
        set_cookie = next(
            (v for k, v in r.headers.multi_items() if k == 'set-cookie' and v.startswith(f'{name}=')),
            '',
        )
        token = set_cookie.split(';', 1)[0].partition('=')[2]
        out['get_status'] = r.status_code
        out['set_cookie'] = set_cookie
        out['cookie'] = cookie_attrs(set_cookie) if set_cookie else {}

        r = await c.post(f'{prefix}/token', data={'username': 'u', 'password': 'p'})
        out['token'] = {'status': r.status_code, 'body': r.text}

        r = await c.post(f'{prefix}/items')
        out['post_without_token'] = {'status': r.status_code, 'body': r.text}

        both = {'cookie': f'{name}={token}', header: token}
        r = await c.post(f'{prefix}/items', headers=both)
        out['post_with_token'] = {'status': r.status_code, 'body': r.text}

        r = await c.post(f'{prefix}/items', headers={'authorization': 'Bearer fake-access-token'})
        out['post_bearer_only'] = {'status': r.status_code, 'body': r.text}

        if sc.get('session_cookie'):
            r = await c.post(
                f'{prefix}/items', headers={'cookie': f'{sc["session_cookie"]}=browser-session'}
            )
            out['post_session_without_token'] = {'status': r.status_code, 'body': r.text}

        out['sockets'] = {}
        for m in sc.get('mounts', []):
            r = await c.get(f'{m}/socket.io/', params={'EIO': '4', 'transport': 'polling'})
            sid = json.loads(r.text[1:])['sid'] if r.status_code == 200 else None
            r2 = await c.post(
                f'{m}/socket.io/',
                params={'EIO': '4', 'transport': 'polling', 'sid': sid or ''},
                content='40',
            )
            out['sockets'][m] = {
                'handshake_status': r.status_code,
                'post_status': r2.status_code,
                'post_body': r2.text,
            }

    # The same token on a second instance of the same configuration.
    second = build(sc, secret_override=sc.get('second_secret'))
    async with client(second) as c:
        r = await c.post(f'{prefix}/items', headers=both)
        out['second_instance'] = {'status': r.status_code, 'body': r.text}
    if '_exempt_urls' in sc:
        out['exempt_urls'] = sc['_exempt_urls']
    return out


def websocket(sc):
    """Connects to /live through the middleware; the error, if any, as its traceback."""
    app = build(sc)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with TestClient(app).websocket_connect('/live') as ws:
                return {'ok': True, 'received': ws.receive_text()}
    except BaseException as e:  # noqa: BLE001 (the error itself is the result)
        return {
            'ok': False,
            'error_class': type(e).__name__,
            'traceback': ''.join(traceback.format_exception(e)),
        }


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    p.add_argument('--plan', required=True)
    args = p.parse_args()
    with open(args.plan, encoding='utf-8') as f:
        plan = json.load(f)
    results = {}
    for sc in plan['scenarios']:
        res = asyncio.run(probe(sc))
        res['websocket'] = websocket(sc)
        results[sc['name']] = res
    json.dump(
        {
            'versions': {
                d: version(d)
                for d in ('starlette-csrf', 'starlette', 'fastapi', 'python-socketio', 'httpx')
            },
            'python': sys.version.split()[0],
            'results': results,
        },
        sys.stdout,
        indent=1,
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
