#!/usr/bin/env python3
"""A small stand-in for the CVAT server's authentication API, on real Django.

Run with the python of a venv that has Django (tests/e2e/venv.sh django-5.2 django==5.2.19):

    "$PY" tests/e2e/cvat_stand_in.py --work-dir DIR --version 2.48.0 \
        --user alice --password PW --access-token PAT

CVAT itself is a large Compose stack; the SDK only needs four endpoints, served here with the
settings CVAT's cvat/settings/base.py has for proxies and cookies (2.42; shared/knowledge/
seed-systems.md §5.2): ALLOWED_HOSTS from the environment (default `localhost,127.0.0.1`, split
on `,`), SECRET_KEY from DJANGO_SECRET_KEY, SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO",
"https"), USE_X_FORWARDED_HOST = True, no CSRF_TRUSTED_ORIGINS. Django's own session and CSRF
machinery writes the cookies and runs the checks.

* GET  /api/server/about  -> {"name", "description", "version", "logo_url", "subtitle"}
* POST /api/auth/login    JSON {"username", "password"} -> {"key": <legacy token>}; Django's
  login() sets the sessionid cookie and rotates csrftoken. Exempt from CSRF, as DRF views are
  for unauthenticated requests.
* GET  /api/users/self    with `Authorization: Token <key>`, `Authorization: Bearer <access
  token>` (only when --version is 2.48 or newer: access tokens arrived in server 2.48), or the
  session cookie -> the user.
* POST /api/auth/logout   CSRF-protected like DRF's SessionAuthentication; a failure answers
  403 {"detail": "CSRF Failed: <Django's reason>"} (rest_framework/authentication.py wording).

Prints `PORT <n>` on stdout once it listens on 127.0.0.1, then serves until killed.
"""

import argparse
import json
import os
import secrets
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ARGS = None
LEGACY_KEYS = {}


def version_tuple(text):
    return tuple(int(p) for p in text.split('.')[:3])


def configure(work):
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=os.environ.get('ALLOWED_HOSTS', 'localhost,127.0.0.1').split(','),
        SECRET_KEY=os.environ.get('DJANGO_SECRET_KEY') or 'stand-in-generated-' + secrets.token_hex(16),
        SECURE_PROXY_SSL_HEADER=('HTTP_X_FORWARDED_PROTO', 'https'),
        USE_X_FORWARDED_HOST=True,
        CSRF_COOKIE_NAME='csrftoken',
        CSRF_FAILURE_VIEW=__name__ + '.csrf_failure',
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=['django.contrib.auth', 'django.contrib.contenttypes', 'django.contrib.sessions'],
        MIDDLEWARE=[
            'django.middleware.security.SecurityMiddleware',
            'django.contrib.sessions.middleware.SessionMiddleware',
            'django.middleware.common.CommonMiddleware',
            'django.middleware.csrf.CsrfViewMiddleware',
            'django.contrib.auth.middleware.AuthenticationMiddleware',
        ],
        DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.path.join(work, 'db.sqlite3')}},
        DEFAULT_AUTO_FIELD='django.db.models.AutoField',
        USE_TZ=True,
    )


def csrf_failure(request, reason=''):
    from django.http import JsonResponse

    return JsonResponse({'detail': f'CSRF Failed: {reason}'}, status=403)


def about(request):
    from django.http import JsonResponse

    return JsonResponse({
        'name': 'Computer Vision Annotation Tool',
        'description': 'ProxyTrust test stand-in',
        'version': ARGS.version,
        'logo_url': '',
        'subtitle': '',
    })


def login_view(request):
    from django.contrib.auth import authenticate, login
    from django.http import JsonResponse

    if request.method != 'POST':
        return JsonResponse({'detail': 'Method not allowed.'}, status=405)
    try:
        data = json.loads(request.body or b'{}')
    except ValueError:
        return JsonResponse({'detail': 'JSON parse error'}, status=400)
    user = authenticate(request, username=data.get('username'), password=data.get('password'))
    if user is None:
        return JsonResponse({'non_field_errors': ['Unable to log in with provided credentials.']}, status=400)
    login(request, user)
    key = LEGACY_KEYS.setdefault(user.get_username(), secrets.token_hex(20))
    return JsonResponse({'key': key})


def current_user(request):
    from django.contrib.auth import get_user_model
    from django.http import JsonResponse

    auth = request.META.get('HTTP_AUTHORIZATION', '')
    username = None
    if auth.startswith('Token '):
        username = next((u for u, k in LEGACY_KEYS.items() if k == auth[len('Token '):]), None)
    elif auth.startswith('Bearer '):
        if version_tuple(ARGS.version) >= (2, 48, 0) and auth[len('Bearer '):] == ARGS.access_token:
            username = ARGS.user
    elif request.user.is_authenticated:
        username = request.user.get_username()
    if username is None:
        return JsonResponse({'detail': 'Authentication credentials were not provided.'}, status=401)
    user = get_user_model().objects.get(username=username)
    return JsonResponse({
        'url': '', 'id': user.pk, 'username': username, 'first_name': '', 'last_name': '',
        'email': '', 'groups': ['user'], 'is_staff': False, 'is_superuser': False,
        'is_active': True, 'last_login': None, 'date_joined': user.date_joined.isoformat(),
        'has_analytics_access': False,
    })


def logout_view(request):
    from django.contrib.auth import logout
    from django.http import JsonResponse

    if request.method != 'POST':
        return JsonResponse({'detail': 'Method not allowed.'}, status=405)
    logout(request)
    return JsonResponse({'detail': 'Successfully logged out.'})


urlpatterns = []


class QuietHandler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write('stand-in: ' + (fmt % args) + '\n')


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    global ARGS, urlpatterns
    ap = argparse.ArgumentParser()
    ap.add_argument('--work-dir', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password', required=True)
    ap.add_argument('--access-token', required=True)
    ARGS = ap.parse_args()
    os.makedirs(ARGS.work_dir, exist_ok=True)
    configure(ARGS.work_dir)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    urlpatterns = [
        path('api/server/about', about),
        path('api/auth/login', csrf_exempt(login_view)),
        path('api/users/self', current_user),
        path('api/auth/logout', logout_view),
    ]
    sys.modules[__name__].urlpatterns = urlpatterns
    call_command('migrate', verbosity=0, interactive=False)
    get_user_model().objects.create_user(ARGS.user, password=ARGS.password)
    server = make_server('127.0.0.1', 0, get_wsgi_application(),
                         server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    print(f'PORT {server.server_port}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
