#!/usr/bin/env python3
"""The real CVAT SDK (and the generated verify script) against a CVAT stand-in behind a
TLS-terminating front end on loopback.

Run with the python of a venv that has cvat-sdk installed:

    PY=$(tests/e2e/venv.sh cvat-sdk-2.48 cvat-sdk==2.48.0)
    SERVER_PY=$(tests/e2e/venv.sh django-5.2 django==5.2.19)
    "$PY" tests/e2e/cvat_sdk_login.py --work-dir DIR --server-python "$SERVER_PY" \
        --server-version 2.48.0 --public-url https://cvat.example.org \
        --user alice --password PW --access-token PAT [--server-env-json env.json] \
        --case NAME MODE FILE [--case ...]

Parts, all on 127.0.0.1:
* tests/e2e/cvat_stand_in.py (run with --server-python): the CVAT API the SDK uses, on Django,
  with the variables of --server-env-json (the generated ALLOWED_HOSTS, DJANGO_SECRET_KEY, ...).
* Three TLS front ends with a certificate for the public host, signed by a CA made for this run
  (openssl). Each forwards to the stand-in with the public Host and X-Forwarded-For, and:
  `pass` sets X-Forwarded-Proto: https and returns responses unchanged; `drop-set-cookie` does
  the same but removes every Set-Cookie header from responses (the proxy of issues
  cvat-ai/cvat#9318 and #9946); `proto-http` passes cookies but sends X-Forwarded-Proto: http,
  as Traefik does when it does not trust the load balancer in front of it.
* Each case runs FILE unmodified: a `.py` file with this python, a `.sh` file with bash. The
  public host resolves to the chosen front end: for Python through a sitecustomize.py on
  PYTHONPATH that maps (host, 443) in socket.getaddrinfo, for curl through CURL_HOME/.curlrc
  (`connect-to`); both trust the test CA (SSL_CERT_FILE, `cacert`). CVAT_USER, CVAT_PASSWORD
  and CVAT_ACCESS_TOKEN are in the environment.

Prints one JSON document: {"cases": [{"name", "mode", "exit_code", "stdout", "stderr"}],
"server_version", "sdk_version", "server_log"}.
"""

import argparse
import http.client
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import urllib.parse

CLIENT_IP = '203.0.113.7'  # TEST-NET-3: the client's address

SITECUSTOMIZE = '''\
# Written by tests/e2e/cvat_sdk_login.py: the public host resolves to a loopback front end.
import os
import socket

_host = os.environ.get("PROXYTRUST_E2E_HOST")
_port = int(os.environ.get("PROXYTRUST_E2E_PORT", "0"))
_getaddrinfo = socket.getaddrinfo


def _mapped(host, port, *args, **kwargs):
    if _host and host == _host and str(port) == "443":
        return _getaddrinfo("127.0.0.1", _port, *args, **kwargs)
    return _getaddrinfo(host, port, *args, **kwargs)


socket.getaddrinfo = _mapped
'''


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def make_certs(d, host):
    ca_key, ca = os.path.join(d, 'ca.key'), os.path.join(d, 'ca.pem')
    key, csr, cert = (os.path.join(d, n) for n in ('srv.key', 'srv.csr', 'srv.pem'))
    ext = os.path.join(d, 'srv.ext')
    with open(ext, 'w', encoding='utf-8') as f:
        f.write(f'subjectAltName=DNS:{host}\nbasicConstraints=CA:FALSE\n'
                'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n')
    run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca_key, '-out', ca,
         '-days', '2', '-subj', '/CN=ProxyTrust e2e CA'])
    run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr,
         '-subj', f'/CN={host}'])
    run(['openssl', 'x509', '-req', '-in', csr, '-CA', ca, '-CAkey', ca_key, '-CAcreateserial',
         '-out', cert, '-days', '2', '-extfile', ext])
    return ca, cert, key


def front_end(backend_port, mode, cert, key):
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
                    continue
                headers[name] = value
            headers['X-Forwarded-Proto'] = 'http' if mode == 'proto-http' else 'https'
            headers['X-Forwarded-For'] = CLIENT_IP
            conn = http.client.HTTPConnection('127.0.0.1', backend_port, timeout=30)
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status, resp.reason)
            for name, value in resp.getheaders():
                lower = name.lower()
                if lower in ('content-length', 'connection', 'transfer-encoding', 'date', 'server'):
                    continue
                if lower == 'set-cookie' and mode == 'drop-set-cookie':
                    continue
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = forward
        do_POST = forward
        do_HEAD = forward

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--work-dir', required=True)
    ap.add_argument('--server-python', required=True)
    ap.add_argument('--server-version', required=True)
    ap.add_argument('--public-url', required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password', required=True)
    ap.add_argument('--access-token', required=True)
    ap.add_argument('--server-env-json')
    ap.add_argument('--case', nargs=3, action='append', default=[], metavar=('NAME', 'MODE', 'FILE'))
    args = ap.parse_args()

    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    host = urllib.parse.urlsplit(args.public_url).hostname
    ca, cert, key = make_certs(work, host)

    server_env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': work, 'LANG': 'C.UTF-8'}
    if args.server_env_json:
        with open(args.server_env_json, encoding='utf-8') as f:
            server_env.update(json.load(f))
    log_path = os.path.join(work, 'stand-in.log')
    log = open(log_path, 'w', encoding='utf-8')
    here = os.path.dirname(os.path.abspath(__file__))
    server = subprocess.Popen(
        [args.server_python, os.path.join(here, 'cvat_stand_in.py'), '--work-dir', os.path.join(work, 'server'),
         '--version', args.server_version, '--user', args.user, '--password', args.password,
         '--access-token', args.access_token],
        stdout=subprocess.PIPE, stderr=log, env=server_env, text=True)
    report = {'cases': [], 'server_version': args.server_version}
    try:
        line = server.stdout.readline()
        if not line.startswith('PORT '):
            raise SystemExit(f'stand-in did not start: {line!r}')
        backend = int(line.split()[1])
        fronts = {mode: front_end(backend, mode, cert, key) for mode in ('pass', 'drop-set-cookie', 'proto-http')}

        site = os.path.join(work, 'site')
        os.makedirs(site, exist_ok=True)
        with open(os.path.join(site, 'sitecustomize.py'), 'w', encoding='utf-8') as f:
            f.write(SITECUSTOMIZE)
        import cvat_sdk.version
        report['sdk_version'] = cvat_sdk.version.VERSION

        for name, mode, path in args.case:
            port = fronts[mode].server_port
            env = {
                'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                'HOME': work,
                'LANG': 'C.UTF-8',
                'CVAT_USER': args.user,
                'CVAT_PASSWORD': args.password,
                'CVAT_ACCESS_TOKEN': args.access_token,
            }
            if path.endswith('.py'):
                env.update({
                    'PYTHONPATH': site,
                    'PROXYTRUST_E2E_HOST': host,
                    'PROXYTRUST_E2E_PORT': str(port),
                    'SSL_CERT_FILE': ca,
                })
                cmd = [sys.executable, path]
            else:
                curl_home = os.path.join(work, f'curl-{mode}')
                os.makedirs(curl_home, exist_ok=True)
                with open(os.path.join(curl_home, '.curlrc'), 'w', encoding='utf-8') as f:
                    f.write(f'connect-to = {host}:443:127.0.0.1:{port}\ncacert = "{ca}"\n')
                env['CURL_HOME'] = curl_home
                cmd = ['bash', path]
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
            report['cases'].append({'name': name, 'mode': mode, 'exit_code': p.returncode,
                                    'stdout': p.stdout, 'stderr': p.stderr})
        for f in fronts.values():
            f.shutdown()
    finally:
        server.kill()
        server.wait()
        log.close()
        with open(log_path, encoding='utf-8') as f:
            report['server_log'] = f.read()[-4000:]
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write('\n')


if __name__ == '__main__':
    if shutil.which('openssl') is None:
        raise SystemExit('openssl is needed to make the test certificates')
    main()
