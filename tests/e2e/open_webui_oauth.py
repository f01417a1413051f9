#!/usr/bin/env python3
"""Open WebUI's OIDC sign-in path across two instances, with the real libraries it uses.

Run with the python of a venv made by venv.sh (versions as Open WebUI 0.12.4 pins them, and the
Starlette pip picks for its unpinned `fastapi==0.136.3` -> `starlette>=0.46.0`):

    PY=$(tests/e2e/venv.sh open-webui-oauth authlib==1.7.2 starlette==1.10.0 \
        itsdangerous==2.2.0 httpx==0.28.1 pyjwt==2.13.0)
    "$PY" tests/e2e/open_webui_oauth.py --dotenv open-webui.env --idp-port 18081 \
        --keys shared|per-container

What it builds, copied from Open WebUI 0.12.4 (PyPI wheel):
* two "instances" A and B, each a Starlette app with
  `SessionMiddleware(secret_key=WEBUI_SECRET_KEY, session_cookie='owui-session',
  same_site=WEBUI_SESSION_COOKIE_SAME_SITE, https_only=WEBUI_SESSION_COOKIE_SECURE)`
  (open_webui/main.py:2766-2772) and an authlib `OAuth()` (no cache, utils/oauth.py) with the
  provider `oidc` registered as config.py does it (client_id, client_secret,
  server_metadata_url=OPENID_PROVIDER_URL, scope `openid email profile`,
  redirect_uri=OPENID_REDIRECT_URI);
* `/oauth/{provider}/login` as `handle_login` (redirect_uri from the registration, else
  `url_for`), `/oauth/{provider}/callback` calling `authorize_access_token` as `handle_callback`;
* a fake identity provider on 127.0.0.1 (discovery document and token endpoint only).

The browser is played by hand: GET /oauth/oidc/login on A (https public origin, as Cloud Run's
front end presents it), keep the Set-Cookie, then deliver the provider's redirect
(`<redirect_uri>?code=...&state=...`) to B with the cookie, as a browser does on the top-level
navigation back (SameSite=lax allows it; Secure cookies are sent because the browser's side is
https).

--keys shared: both instances use WEBUI_SECRET_KEY from the dotenv file (what ProxyTrust
generated). --keys per-container: each instance makes its own key as `open-webui serve` does
(base64 of WEBUI_SECRET_KEY_LENGTH=24 random bytes, open_webui/__init__.py), i.e. what happens
when the variable is not set.

The dotenv file is read by bash (`set -a; . FILE`), the consumer ProxyTrust writes it for.
Prints one JSON document on stdout. Exit 0 when it ran; 2 on bad arguments.
"""

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

# The token request goes to the fake provider on loopback: never through a proxy.
for _k in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'):
    os.environ.pop(_k, None)
os.environ['NO_PROXY'] = '127.0.0.1,localhost'

import httpx  # noqa: E402
import jwt  # noqa: E402
from authlib.integrations.starlette_client import OAuth  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.middleware.sessions import SessionMiddleware  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

COOKIE = 'owui-session'  # Open WebUI 0.12.4, main.py:2769
SCOPES = 'openid email profile'  # OAUTH_SCOPES default, config.py:2644


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


class FakeIdp:
    """Discovery document and token endpoint; records the token requests."""

    def __init__(self, port):
        self.base = f'http://127.0.0.1:{port}'
        self.token_requests = []
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, obj):
                body = json.dumps(obj).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == '/.well-known/openid-configuration':
                    self._json(
                        {
                            'issuer': idp.base,
                            'authorization_endpoint': f'{idp.base}/authorize',
                            'token_endpoint': f'{idp.base}/token',
                            'jwks_uri': f'{idp.base}/jwks',
                            'response_types_supported': ['code'],
                        }
                    )
                else:
                    self.send_error(404)

            def do_POST(self):
                n = int(self.headers.get('Content-Length') or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                idp.token_requests.append(
                    {
                        'path': self.path,
                        'form': {k: v[0] for k, v in form.items()},
                        'authorization': self.headers.get('Authorization', ''),
                    }
                )
                self._json({'access_token': 'fake-access-token', 'token_type': 'Bearer', 'expires_in': 3600})

        self.server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_instance(env, key):
    """One Open WebUI instance's OAuth path (0.12.4)."""
    oauth = OAuth()
    oauth.register(
        name='oidc',
        client_id=env['OAUTH_CLIENT_ID'],
        client_secret=env['OAUTH_CLIENT_SECRET'],
        server_metadata_url=env['OPENID_PROVIDER_URL'],
        client_kwargs={'scope': SCOPES},
        redirect_uri=env.get('OPENID_REDIRECT_URI', ''),
    )

    async def login(request: Request):
        client = oauth.create_client(request.path_params['provider'])
        redirect_uri = (client.server_metadata or {}).get('redirect_uri') or request.url_for(
            'oauth_login_callback', provider=request.path_params['provider']
        )
        return await client.authorize_redirect(request, redirect_uri)

    async def callback(request: Request):
        client = oauth.create_client(request.path_params['provider'])
        try:
            token = await client.authorize_access_token(request)
        except Exception as e:  # handle_callback logs and redirects to /auth?error=...
            return JSONResponse(
                {'ok': False, 'error_class': type(e).__name__, 'error': str(e)}, status_code=400
            )
        return JSONResponse({'ok': True, 'access_token': token.get('access_token')})

    app = Starlette(
        routes=[
            Route('/oauth/{provider}/login', login),
            Route('/oauth/{provider}/callback', callback, name='oauth_login_callback'),
        ]
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=COOKIE,
        same_site=env.get('WEBUI_SESSION_COOKIE_SAME_SITE', 'lax'),
        https_only=env.get('WEBUI_SESSION_COOKIE_SECURE', 'false').lower() == 'true',
    )
    return app


def cookie_attributes(set_cookie):
    parts = [p.strip() for p in set_cookie.split(';')]
    name, _, value = parts[0].partition('=')
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition('=')
        attrs[k.lower()] = v
    return {
        'name': name,
        'value': value,
        'samesite': attrs.get('samesite'),
        'secure': 'secure' in attrs,
        'httponly': 'httponly' in attrs,
        'raw': set_cookie,
    }


def per_container_key():
    # open_webui/__init__.py serve(): base64 of WEBUI_SECRET_KEY_LENGTH (24) random bytes.
    return base64.b64encode(secrets.token_bytes(24)).decode()


def jwt_warnings(key):
    """PyJWT's warnings when Open WebUI signs a token with this key (HS256, utils/auth.py)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        jwt.encode({'id': 'user'}, key, algorithm='HS256')
    return [f'{w.category.__name__}: {w.message}' for w in caught]


async def run(env, keys_mode, origin):
    if keys_mode == 'shared':
        key_a = key_b = env['WEBUI_SECRET_KEY']
    else:
        key_a, key_b = per_container_key(), per_container_key()
    a, b = make_instance(env, key_a), make_instance(env, key_b)
    out = {'keys': keys_mode, 'same_key': key_a == key_b}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url=origin) as browser_a:
        r = await browser_a.get('/oauth/oidc/login')
    out['login_status'] = r.status_code
    location = r.headers.get('location', '')
    out['location'] = location
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    out['authorize_params'] = query
    set_cookies = r.headers.get_list('set-cookie')
    out['set_cookie'] = [cookie_attributes(c) for c in set_cookies]
    session = next((c for c in out['set_cookie'] if c['name'] == COOKIE), None)

    # The provider sends the browser back to redirect_uri; the load balancer picks B.
    callback = urllib.parse.urlsplit(query.get('redirect_uri', ''))
    headers = {'cookie': f"{COOKIE}={session['value']}"} if session else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=b), base_url=f'{callback.scheme}://{callback.netloc}'
    ) as browser_b:
        r = await browser_b.get(
            callback.path,
            params={'code': 'fake-code', 'state': query.get('state', '')},
            headers=headers,
        )
    out['callback_status'] = r.status_code
    out['callback'] = r.json()
    out['jwt_warnings_with_key'] = jwt_warnings(key_b)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dotenv', required=True, help='the .env block ProxyTrust generated')
    p.add_argument('--idp-port', type=int, required=True)
    p.add_argument('--keys', choices=['shared', 'per-container'], required=True)
    args = p.parse_args()
    env = read_dotenv(args.dotenv)
    origin = env['WEBUI_URL']
    idp = FakeIdp(args.idp_port)
    try:
        out = asyncio.run(run(env, args.keys, origin))
    finally:
        idp.close()
    out['token_requests'] = idp.token_requests
    out['env_used'] = {k: v for k, v in env.items() if 'SECRET' not in k and k != 'DATABASE_URL'}
    out['webui_secret_key_length'] = len(env.get('WEBUI_SECRET_KEY', ''))
    # The key the image's older start.sh made: `head -c 12 /dev/random | base64` (16 characters).
    out['jwt_warnings_start_sh_key'] = jwt_warnings(base64.b64encode(secrets.token_bytes(12)).decode())
    out['versions'] = {
        n: version(n) for n in ('authlib', 'starlette', 'itsdangerous', 'httpx', 'pyjwt')
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
