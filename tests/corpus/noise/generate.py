#!/usr/bin/env python3
"""Seeded generator of realistic, crash-free container logs ("noise") for faultline.

    generate.py --seed N --bytes SIZE [--format text|ndjson|cloud-logging]
                [--no-recovery-lines] OUT

Writes about SIZE bytes (never more; the last whole event that fits ends the
file) of interleaved logs from web servers, Python/Node/Java/Go services,
Kubernetes system components, databases and test runners, as they print them.
Nothing in it is a crash: handled errors, retries that succeed, 4xx/5xx access
lines, warnings and graceful restarts only. The same seed and arguments give the
same bytes; a smaller SIZE gives a prefix of a larger one (same seed and format).

Standard library only. All content is original (see README.md).
"""

import argparse
import heapq
import json
import math
import random
import re
import sys
import time

# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------

MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')
WDAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
US = 1000000


class TP(object):
    """Pre-formatted pieces of one UTC second."""
    __slots__ = ('ymd', 'hms', 'iso', 'ymd_slash', 'clf', 'redis', 'apache', 'klog', 'pyasc', 'mmdd', 'sec')

    def __init__(self, sec):
        g = time.gmtime(sec)
        self.sec = sec
        self.ymd = '%04d-%02d-%02d' % (g.tm_year, g.tm_mon, g.tm_mday)
        self.hms = '%02d:%02d:%02d' % (g.tm_hour, g.tm_min, g.tm_sec)
        self.iso = self.ymd + 'T' + self.hms
        self.pyasc = self.ymd + ' ' + self.hms
        self.ymd_slash = '%04d/%02d/%02d %s' % (g.tm_year, g.tm_mon, g.tm_mday, self.hms)
        self.clf = '%02d/%s/%04d:%s +0000' % (g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year, self.hms)
        self.redis = '%02d %s %04d %s' % (g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year, self.hms)
        self.apache = '%s %s %02d %s' % (WDAYS[g.tm_wday], MONTHS[g.tm_mon - 1], g.tm_mday, self.hms)
        self.mmdd = '%02d%02d' % (g.tm_mon, g.tm_mday)
        self.klog = self.mmdd + ' ' + self.hms
        # apache needs the year after the fraction: "[Sat Mar 01 10:00:00.123456 2025]"
        self.apache = (self.apache, '%04d' % g.tm_year)


_tp_cache = {}


def tp(t_us):
    sec = t_us // US
    p = _tp_cache.get(sec)
    if p is None:
        if len(_tp_cache) > 4096:
            _tp_cache.clear()
        p = _tp_cache[sec] = TP(sec)
    return p


def iso_us(t_us):
    return '%s.%06dZ' % (tp(t_us).iso, t_us % US)


def iso_ms(t_us):
    return '%s.%03dZ' % (tp(t_us).iso, (t_us % US) // 1000)


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------
# A record is one line as a program printed it:
#   (t_us, severity, stream, text, obj, http, recovery)
# text: the printed line (None when obj is set: the line is obj as compact JSON)
# obj: a structured (JSON) log line, dict, key order as the logger writes it
# stream: stdout | stderr | requests | system  (only Cloud Run uses it)
# http: Cloud Run httpRequest dict for a request log
# recovery: True when a faultline recovery rule matches the line on purpose
#           (healthy start-up lines, 2xx request logs); --no-recovery-lines drops them

STDOUT, STDERR, REQUESTS, SYSTEM = 'stdout', 'stderr', 'requests', 'varlog/system'


def R(t, sev, text, stream=STDOUT):
    return (t, sev, stream, text, None, None, False)


def RJ(t, sev, obj, stream=STDOUT):
    return (t, sev, stream, None, obj, None, False)


def RREC(t, sev, text, stream=STDOUT):
    """A line that a recovery rule matches (healthy start-up)."""
    return (t, sev, stream, text, None, None, True)


# ---------------------------------------------------------------------------
# Shared vocabulary (all invented)
# ---------------------------------------------------------------------------

WORDS = ('walnut', 'desk', 'lamp', 'linen', 'shirt', 'oak', 'shelf', 'ceramic', 'mug', 'wool', 'scarf', 'trail',
         'runner', 'shoe', 'leather', 'wallet', 'cotton', 'tote', 'bag', 'steel', 'bottle', 'glass', 'vase',
         'garden', 'hose', 'kettle', 'teapot', 'rain', 'jacket', 'canvas', 'print', 'frame', 'bamboo', 'board',
         'cast', 'iron', 'pan', 'chef', 'knife', 'blue', 'green', 'grey', 'black', 'small', 'large', 'organic',
         'error', 'handling', 'book', 'gift', 'card', 'kids', 'outdoor', 'winter', 'summer', 'sale')
CATEGORIES = ('home', 'kitchen', 'outdoor', 'apparel', 'shoes', 'accessories', 'garden', 'office', 'gifts', 'sale')
FIRST = ('ana', 'ben', 'chloe', 'dev', 'emil', 'fatima', 'gus', 'hana', 'ivan', 'jo', 'kofi', 'lena', 'mo', 'nina',
         'omar', 'pia', 'quinn', 'rui', 'sara', 'tom', 'uma', 'vik', 'wen', 'yusuf', 'zoe')
LAST = ('adams', 'berg', 'costa', 'diaz', 'eklund', 'fischer', 'garcia', 'haddad', 'ito', 'jensen', 'kim', 'lopez',
        'meyer', 'novak', 'okafor', 'park', 'rossi', 'silva', 'tanaka', 'usman', 'varga', 'weber', 'young', 'zhou')
MAIL_DOMAINS = ('example.com', 'example.org', 'example.net', 'mail.example', 'inbox.test')

USER_AGENTS = (
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36 Edg/121.0.0.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
    'Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.64 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
    'curl/8.5.0', 'curl/7.88.1', 'python-requests/2.31.0', 'python-httpx/0.27.0', 'Go-http-client/1.1',
    'Go-http-client/2.0', 'okhttp/4.12.0', 'axios/1.6.7', 'PostmanRuntime/7.36.3', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
    'Apache-HttpClient/4.5.14 (Java/17.0.10)', 'Prometheus/2.50.1', 'ShopApp/4.12.1 (iOS 17.3; iPhone15,2)',
    'ShopApp/4.12.0 (Android 14; Pixel 7)',
)
UA_WEIGHTS = (14, 3, 8, 6, 3, 2, 10, 8, 5, 2, 3, 2, 1, 2, 1, 2, 1, 2, 2, 1, 2, 1, 1, 1, 1, 3, 3)
REFERERS = ('-', '-', '-', '-', 'https://www.google.com/', 'https://shop.example/', 'https://shop.example/cart',
            'https://shop.example/category/home', 'https://duckduckgo.com/', 'https://www.bing.com/',
            'https://shop.example/products/walnut-desk-lamp', 'android-app://com.google.android.gm/')
BOT_PATHS = ('/wp-login.php', '/.env', '/xmlrpc.php', '/.git/config', '/phpmyadmin/', '/wp-admin/setup-config.php',
             '/cgi-bin/luci', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/owa/auth/logon.aspx',
             '/.aws/credentials', '/config.json', '/actuator/env', '/server-status', '/admin.php')

REASONS = {200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
           304: 'Not Modified', 307: 'Temporary Redirect', 400: 'Bad Request', 401: 'Unauthorized',
           403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone',
           413: 'Request Entity Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
           499: 'Client Closed Request', 500: 'Internal Server Error', 502: 'Bad Gateway',
           503: 'Service Unavailable', 504: 'Gateway Timeout'}


def weighted(items, weights, size=2048):
    """Expands weights into a lookup table: table[int(random() * len(table))]."""
    total = float(sum(weights))
    table = []
    acc = 0.0
    for item, w in zip(items, weights):
        acc += w
        while len(table) < int(round(acc / total * size)):
            table.append(item)
    while len(table) < size:
        table.append(items[-1])
    return tuple(table)


class Ctx(object):
    """The one random source and the pools built from it."""

    def __init__(self, seed, fmt, no_recovery):
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.bits = self.rng.getrandbits
        self.fmt = fmt
        self.cloud = fmt == 'cloud-logging'
        self.no_recovery = no_recovery
        r = self.r
        self.ua = weighted(USER_AGENTS, UA_WEIGHTS)
        # Client addresses: a few thousand, some very active (a power law).
        ips = []
        for _ in range(3000):
            a = (23, 31, 37, 45, 51, 62, 66, 73, 77, 81, 86, 89, 92, 95, 98, 104, 109, 151, 176, 178, 185, 188,
                 193, 195, 203, 212, 213, 217)[int(r() * 28)]
            ips.append('%d.%d.%d.%d' % (a, int(r() * 256), int(r() * 256), 1 + int(r() * 254)))
        self.ips = tuple(ips)
        self.pod_ips = tuple('10.%d.%d.%d' % (4 + int(r() * 8), int(r() * 16), 2 + int(r() * 250)) for _ in range(400))
        self.projects = ('lumen-shop-prod', 'northwind-prod-2291', 'tidepool-prod-8812', 'kestrel-prod-5530')
        self.project = self.projects[int(r() * len(self.projects))]
        self.region = ('europe-west1', 'us-central1', 'us-east4', 'europe-west4')[int(r() * 4)]

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def ip(self):
        # skewed: low indexes are frequent visitors
        return self.ips[int(len(self.ips) * self.r() ** 3)]

    def hex(self, n):
        return '%0*x' % (n, self.bits(4 * n))

    def uuid(self):
        h = '%032x' % self.bits(128)
        return '%s-%s-4%s-%s%s-%s' % (h[:8], h[8:12], h[13:16], '89ab'[int(h[16], 16) & 3], h[17:20], h[20:32])

    def between(self, lo, hi):
        return lo + int(self.r() * (hi - lo + 1))

    def expo(self, mean):
        return -math.log(1.0 - self.r()) * mean

    def latency(self, base):
        """Seconds, long-tailed."""
        return base * (0.4 + self.expo(1.0)) + (0.0 if self.r() > 0.01 else self.expo(base * 20))

    def email(self):
        return '%s.%s%s@%s' % (self.pick(FIRST), self.pick(LAST), '' if self.r() < 0.6 else str(self.between(1, 99)),
                               self.pick(MAIL_DOMAINS))

    def slug(self, n=3):
        return '-'.join(self.pick(WORDS) for _ in range(n))

    def query(self):
        return '+'.join(self.pick(WORDS) for _ in range(self.between(1, 3)))


# ---------------------------------------------------------------------------
# HTTP traffic model
# ---------------------------------------------------------------------------

STATUS_ITEMS = (200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 422, 429, 499, 500, 502, 503, 504)
STATUS_WEIGHTS = (820, 18, 14, 4, 12, 40, 9, 9, 3, 34, 3, 6, 3, 3, 1.5, 1.0, 0.5, 0.5)


def status_table(allow_5xx=True, allow_499=True):
    items, weights = [], []
    for s, w in zip(STATUS_ITEMS, STATUS_WEIGHTS):
        if s >= 500 and not allow_5xx:
            continue
        if s == 499 and not allow_499:
            continue
        items.append(s)
        weights.append(w)
    return weighted(items, weights, 4096)


class Traffic(object):
    """Requests of one kind of site: (method, path, status, bytes, kind)."""

    def __init__(self, g, profile, allow_5xx=True, allow_499=True):
        self.g = g
        self.profile = profile
        self.statuses = status_table(allow_5xx, allow_499)
        g_ = g
        r = g.r
        pick = g.pick

        def pid():
            return str(g_.between(100, 99999))

        storefront = [
            (30, lambda: ('GET', '/products/%s' % g_.slug(), 'page')),
            (12, lambda: ('GET', '/category/%s%s' % (pick(CATEGORIES), '' if r() < 0.6 else '?page=%d' % g_.between(2, 9)), 'page')),
            (10, lambda: ('GET', '/', 'page')),
            (25, lambda: ('GET', '/static/%s' % pick(('js/main.4f9a1c2e.js', 'js/vendor.88b1e0d3.js', 'css/app.1d2e3f4a.css',
                                                     'fonts/inter-var.woff2', 'img/logo.svg', 'js/runtime.0c3b2a19.js')), 'static')),
            (14, lambda: ('GET', '/images/%s-%d.webp' % (g_.slug(2), pick((320, 640, 1280))), 'static')),
            (5, lambda: ('GET', '/search?q=%s' % g_.query(), 'page')),
            (4, lambda: ('GET', '/cart', 'page')),
            (3, lambda: ('POST', '/cart/items', 'write')),
            (2, lambda: ('GET', '/checkout', 'page')),
            (1, lambda: ('POST', '/checkout/confirm', 'write')),
            (2, lambda: ('GET', '/account/orders', 'auth')),
            (2, lambda: ('POST', '/login', 'login')),
            (3, lambda: ('GET', '/favicon.ico', 'static')),
            (1, lambda: ('GET', '/robots.txt', 'static')),
            (1, lambda: ('GET', '/sitemap.xml', 'static')),
            (6, lambda: ('GET', '/healthz', 'health')),
            (2, lambda: (pick(('GET', 'GET', 'POST')), pick(BOT_PATHS), 'bot')),
            (6, lambda: ('GET', '/api/v1/products?page=%d&per_page=24' % g_.between(1, 12), 'api')),
            (3, lambda: ('GET', '/api/v1/errors/summary', 'api')),
        ]
        api = [
            (20, lambda: ('GET', '/api/v1/products/%s' % pid(), 'api')),
            (10, lambda: ('GET', '/api/v1/products?page=%d&per_page=%d' % (g_.between(1, 30), pick((20, 50, 100))), 'api')),
            (6, lambda: ('GET', '/api/v1/search?q=%s' % g_.query(), 'api')),
            (5, lambda: ('POST', '/api/v1/orders', 'write')),
            (6, lambda: ('GET', '/api/v1/orders/%s' % pid(), 'auth')),
            (3, lambda: ('PATCH', '/api/v1/orders/%s' % pid(), 'write')),
            (4, lambda: ('GET', '/api/v1/users/%s/addresses' % pid(), 'auth')),
            (3, lambda: ('POST', '/api/v1/auth/token', 'login')),
            (2, lambda: ('DELETE', '/api/v1/cart/items/%s' % pid(), 'write')),
            (3, lambda: ('GET', '/api/v1/errors/summary', 'api')),
            (1, lambda: ('GET', '/api/v1/errors?since=%dm' % pick((5, 15, 60)), 'api')),
            (2, lambda: ('GET', '/api/v1/imports/%s/status' % g_.hex(8), 'api')),
            (2, lambda: ('POST', '/graphql', 'api')),
            (14, lambda: ('GET', pick(('/healthz', '/readyz', '/health', '/livez')), 'health')),
            (5, lambda: ('GET', '/metrics', 'health')),
            (1, lambda: ('OPTIONS', '/api/v1/orders', 'api')),
            (1, lambda: ('GET', pick(BOT_PATHS), 'bot')),
        ]
        table = {'storefront': storefront, 'api': api}[profile]
        self.routes = weighted([f for _, f in table], [w for w, _ in table], 4096)

    def next(self):
        g = self.g
        r = g.r
        method, path, kind = self.routes[int(r() * 4096)]()
        if kind == 'health':
            status = 200
            size = g.between(2, 80)
        elif kind == 'bot':
            status = 404 if r() < 0.92 else (403 if r() < 0.5 else 400)
            size = g.between(150, 560)
        elif kind == 'static':
            status = 304 if r() < 0.22 else (200 if r() < 0.985 else 404)
            size = 0 if status == 304 else g.between(400, 180000)
        elif kind == 'write':
            x = r()
            status = 201 if x < 0.82 else (422 if x < 0.9 else (409 if x < 0.94 else (400 if x < 0.98 else 401)))
            if method in ('PATCH', 'DELETE') and status == 201:
                status = 200 if method == 'PATCH' else 204
            size = 0 if status == 204 else g.between(40, 2400)
        elif kind == 'login':
            x = r()
            status = 200 if x < 0.86 else (401 if x < 0.96 else 429)
            size = g.between(60, 900)
        elif kind == 'auth':
            x = r()
            status = 200 if x < 0.9 else (401 if x < 0.96 else (403 if x < 0.98 else 404))
            size = g.between(200, 9000)
        else:
            status = self.statuses[int(r() * 4096)]
            if status in (201, 204, 409, 422) and method == 'GET':
                status = 200
            if status in (204, 304):
                size = 0
            elif status < 300:
                size = g.between(120, 48000)
            elif status < 400:
                size = g.between(0, 320)
            else:
                size = g.between(20, 640)
        if method == 'OPTIONS':
            status, size = 204, 0
        return method, path, status, size, kind


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------
# steady(t), start(t) and stop(t) return blocks: [(t_us, [record, ...]), ...].
# A block's records are printed together (a stack trace stays in one piece);
# blocks later than "now" are queued and come out at their time.

REGION_CODES = {'europe-west1': 'ew', 'us-central1': 'uc', 'us-east4': 'uk', 'asia-northeast1': 'an',
                'europe-west4': 'ez', 'australia-southeast1': 'ts'}


class Service(object):
    kind = 'service'
    weight = 1.0
    restarts = 1.0          # relative chance of restarts / new instances
    cloud_run = True        # may run as a Cloud Run service
    http = False

    def __init__(self, g, name):
        self.g = g
        self.name = name
        self.pid = 1
        r = g.r
        # Kubernetes-ish identity (text/ndjson) and Cloud Run identity (cloud-logging)
        self.pod = '%s-%s-%s' % (name, g.hex(9) if r() < 0.5 else '%x' % g.bits(36), ''.join(
            g.pick('bcdfghjklmnpqrstvwxz2456789') for _ in range(5)))
        self.revno = g.between(3, 240)
        self.region = g.region if g.r() < 0.85 else g.pick(tuple(REGION_CODES))
        self.url_hash = g.hex(10)
        self.server_ip = '34.%d.%d.%d' % (g.between(96, 160), g.between(0, 255), g.between(1, 254))
        self.revision = '%s-%05d-%s' % (name, self.revno, ''.join(g.pick('abcdefghijklmnopqrstuvwxyz') for _ in range(3)))
        self.instances = [self.new_instance() for _ in range(g.between(1, 3))]

    def new_instance(self):
        g = self.g
        return '00' + ''.join('%040x' % g.bits(160) for _ in range(4))[:158]

    # -- helpers -------------------------------------------------------------
    def base_url(self):
        return 'https://%s-%s-%s.a.run.app' % (self.name, self.url_hash, REGION_CODES[self.region])

    def request_log(self, t, method, path, status, size, lat, ua, ip, referer='-', proto='HTTP/1.1'):
        """Cloud Run's own request log entry (cloud-logging only)."""
        g = self.g
        http = {'latency': '%.9fs' % lat, 'protocol': proto}
        if referer != '-':
            http['referer'] = referer
        http['remoteIp'] = ip
        http['requestMethod'] = method
        http['requestSize'] = str(g.between(280, 900) + (g.between(50, 3000) if method in ('POST', 'PUT', 'PATCH') else 0))
        http['requestUrl'] = self.base_url() + path
        http['responseSize'] = str(size + g.between(180, 420))
        http['serverIp'] = self.server_ip
        http['status'] = status
        http['userAgent'] = ua
        sev = 'INFO' if status < 400 else ('WARNING' if status < 500 else 'ERROR')
        return (t, sev, REQUESTS, None, None, http, 200 <= status < 300)

    def client_ip(self, kind, path):
        g = self.g
        if kind != 'health':
            return g.ip()
        if path == '/metrics':
            return g.pick(g.pod_ips)
        if g.cloud or getattr(self, 'ingress', False):
            return '%s.%d.%d' % (g.pick(('35.191', '130.211')), g.between(0, 255), g.between(1, 254))
        return '10.128.0.%d' % g.between(2, 40)

    def client_ua(self, kind, path):
        g = self.g
        if kind != 'health':
            return g.ua[int(g.r() * len(g.ua))]
        if path == '/metrics':
            return 'Prometheus/2.50.1'
        return 'GoogleHC/1.0' if (g.cloud or getattr(self, 'ingress', False)) else 'kube-probe/1.29'

    def steady(self, t):
        return []

    def start(self, t):
        return []

    def stop(self, t):
        return []


def logback_abbrev(name, width=39):
    """logback's %logger{39}: shorten leading package names to one letter until it fits."""
    if len(name) <= width:
        return name
    parts = name.split('.')
    for i in range(len(parts) - 1):
        parts[i] = parts[i][0]
        s = '.'.join(parts)
        if len(s) <= width:
            return s
    return '.'.join(parts)


# --------------------------------------------------------------------------- nginx

class Nginx(Service):
    kind = 'nginx'
    weight = 9.0
    http = True

    def __init__(self, g, name, ingress=False, upstreams=('catalog-api', 'orders-api', 'storefront')):
        Service.__init__(self, g, name)
        self.ingress = ingress and not g.cloud
        self.traffic = Traffic(g, 'storefront' if not ingress else 'api', allow_5xx=not g.cloud,
                               allow_499=not g.cloud)
        self.host = g.pick(('shop.example', 'www.shop.example', 'api.shop.example'))
        self.upstreams = upstreams
        base = g.between(20, 40)
        self.workers = [base + i for i in range(g.between(2, 4))]
        self.conn = g.between(1000, 90000)
        self.version = g.pick(('1.25.4', '1.25.3', '1.24.0', '1.26.0'))

    def _errlog(self, t, level, msg, worker=None):
        w = worker or self.g.pick(self.workers)
        return R(t, {'error': 'ERROR', 'warn': 'WARNING', 'notice': 'NOTICE', 'info': 'INFO'}[level],
                 '%s [%s] %d#%d: %s' % (tp(t).ymd_slash, level, w, w, msg), STDERR)

    def steady(self, t):
        g = self.g
        r = g.r
        method, path, status, size, kind = self.traffic.next()
        ip = self.client_ip(kind, path)
        ua = self.client_ua(kind, path)
        ref = '-' if kind in ('health', 'bot', 'api') else g.pick(REFERERS)
        lat = g.latency(0.012 if kind == 'static' else 0.045)
        if status == 499:
            lat = 1.0 + g.expo(5.0)
        elif status == 504:
            lat = 60.0 + r() * 0.01
        self.conn += 1
        recs = []
        proto = 'HTTP/2.0' if self.ingress and r() < 0.6 else 'HTTP/1.1'
        seen_ip = ip if not g.cloud else '169.254.1.%d' % g.between(1, 8)   # behind Cloud Run's front end
        line = '%s - - [%s] "%s %s %s" %d %d "%s" "%s"' % (seen_ip, tp(t).clf, method, path, proto, status, size, ref, ua)
        if self.ingress:
            up = g.pick(self.upstreams)
            upaddr = '%s:%d' % (g.pick(g.pod_ips), 8080)
            if status == 499:
                tail = ' %d %.3f [shop-%s-8080] [] %s 0 %.3f - %s' % (g.between(300, 900), lat, up, upaddr, lat, g.hex(32))
            else:
                tail = ' %d %.3f [shop-%s-8080] [] %s %d %.3f %d %s' % (
                    g.between(300, 900), lat, up, upaddr, size, max(lat - 0.001, 0.0), status, g.hex(32))
            line += tail
        recs.append(R(t, 'INFO' if status < 400 else ('WARNING' if status < 500 else 'ERROR'), line))
        # the error log lines nginx writes beside some of those requests
        if status == 404 and kind in ('bot', 'static') and not self.ingress and r() < 0.7:
            recs.append(self._errlog(t, 'error', '*%d open() "/usr/share/nginx/html%s" failed (2: No such file or directory), '
                                     'client: %s, server: %s, request: "%s %s HTTP/1.1", host: "%s"' % (
                                         self.conn, path.split('?')[0], ip, self.host, method, path, self.host)))
        elif status == 504:
            recs.append(self._errlog(t, 'error', '*%d upstream timed out (110: Connection timed out) while reading response '
                                     'header from upstream, client: %s, server: %s, request: "%s %s HTTP/1.1", upstream: '
                                     '"http://%s:8080%s", host: "%s"' % (self.conn, ip, self.host, method, path,
                                                                       g.pick(g.pod_ips), path, self.host)))
        elif status == 502:
            recs.append(self._errlog(t, 'error', '*%d connect() failed (111: Connection refused) while connecting to upstream, '
                                     'client: %s, server: %s, request: "%s %s HTTP/1.1", upstream: "http://%s:8080%s", '
                                     'host: "%s"' % (self.conn, ip, self.host, method, path, g.pick(g.pod_ips), path, self.host)))
        elif kind == 'api' and size > 32000 and r() < 0.08:
            recs.append(self._errlog(t, 'warn', '*%d an upstream response is buffered to a temporary file '
                                     '/var/cache/nginx/proxy_temp/%d/%02d/%010d while reading upstream, client: %s, '
                                     'server: %s, request: "%s %s HTTP/1.1", upstream: "http://%s:8080%s", host: "%s"' % (
                                         self.conn, g.between(0, 9), g.between(0, 99), self.conn, ip, self.host, method,
                                         path, g.pick(g.pod_ips), path, self.host)))
        elif method == 'POST' and r() < 0.02:
            recs.append(self._errlog(t, 'warn', '*%d a client request body is buffered to a temporary file '
                                     '/var/cache/nginx/client_temp/%010d, client: %s, server: %s, request: "%s %s HTTP/1.1", '
                                     'host: "%s"' % (self.conn, self.conn, ip, self.host, method, path, self.host)))
        if g.cloud:
            recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat, ua, ip, ref))
        return [(t, recs)]

    def start(self, t):
        g = self.g
        lines = ['/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
                 '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
                 '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
                 '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
                 '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
                 '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
                 '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
                 '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
                 '/docker-entrypoint.sh: Configuration complete; ready for start up']
        recs = [R(t + i * 900, 'INFO', l) for i, l in enumerate(lines)]
        t2 = t + 12000
        base = g.between(20, 40)
        self.workers = [base + i for i in range(len(self.workers))]
        for msg in ('using the "epoll" event method', 'nginx/%s' % self.version,
                    'built by gcc 12.2.0 (Debian 12.2.0-14)', 'OS: Linux 6.1.0-18-cloud-amd64',
                    'getrlimit(RLIMIT_NOFILE): 1048576:1048576', 'start worker processes'):
            recs.append(self._errlog(t2, 'notice', msg, 1))
        for w in self.workers:
            recs.append(self._errlog(t2 + 300, 'notice', 'start worker process %d' % w, 1))
        return [(t, recs)]

    def stop(self, t):
        # a configuration reload (SIGHUP): old workers exit gracefully, new ones start
        g = self.g
        recs = [self._errlog(t, 'notice', 'signal 1 (SIGHUP) received from %d, reconfiguring' % g.between(40, 90), 1),
                self._errlog(t, 'notice', 'reconfiguring', 1),
                self._errlog(t + 200, 'notice', 'using the "epoll" event method', 1),
                self._errlog(t + 200, 'notice', 'start worker processes', 1)]
        old = self.workers
        base = max(old) + 1 + g.between(0, 3)
        self.workers = [base + i for i in range(len(old))]
        for w in self.workers:
            recs.append(self._errlog(t + 400, 'notice', 'start worker process %d' % w, 1))
        later = []
        for w in old:
            later.append(self._errlog(t + 900, 'notice', 'gracefully shutting down', w))
            later.append(self._errlog(t + 1100, 'notice', 'exiting', w))
            later.append(self._errlog(t + 1300, 'notice', 'exit', w))
        for w in old:
            later.append(self._errlog(t + 1500, 'notice', 'signal 17 (SIGCHLD) received from %d' % w, 1))
            later.append(self._errlog(t + 1500, 'notice', 'worker process %d exited with code 0' % w, 1))
        later.append(self._errlog(t + 1600, 'notice', 'signal 29 (SIGIO) received', 1))
        return [(t, recs), (t + 900, later)]


# --------------------------------------------------------------------------- Apache httpd

class Apache(Service):
    kind = 'apache'
    weight = 4.0
    http = True

    def __init__(self, g, name):
        Service.__init__(self, g, name)
        self.traffic = Traffic(g, 'storefront', allow_5xx=not g.cloud, allow_499=False)
        self.tid = 139900000000000 + g.bits(40)
        self.children = [g.between(8, 30) + i for i in range(3)]

    def _err(self, t, mod, level, msg, pid=None):
        p = tp(t)
        sev = {'notice': 'NOTICE', 'warn': 'WARNING', 'error': 'ERROR', 'info': 'INFO'}[level]
        return R(t, sev, '[%s.%06d %s] [%s:%s] [pid %d:tid %d] %s' % (
            p.apache[0], t % US, p.apache[1], mod, level, pid or self.g.pick(self.children), self.tid + (pid or 0) * 4096,
            msg), STDERR)

    def steady(self, t):
        g = self.g
        r = g.r
        method, path, status, size, kind = self.traffic.next()
        ip = self.client_ip(kind, path)
        ua = self.client_ua(kind, path)
        ref = '-' if kind in ('bot', 'health') else g.pick(REFERERS)
        seen_ip = ip if not g.cloud else '169.254.1.%d' % g.between(1, 8)
        recs = [R(t, 'INFO' if status < 400 else 'WARNING', '%s - - [%s] "%s %s HTTP/1.1" %d %s "%s" "%s"' % (
            seen_ip, tp(t).clf, method, path, status, str(size) if size else '-', ref, ua))]
        if kind == 'bot' and (path.startswith('/.') or path == '/server-status') and r() < 0.8:
            recs.append(self._err(t, 'authz_core', 'error', '[client %s:%d] AH01630: client denied by server configuration: '
                                  '/usr/local/apache2/htdocs%s' % (ip, g.between(30000, 65000), path.split('?')[0])))
        elif r() < 0.002:
            recs.append(self._err(t, 'ssl', 'warn', 'AH01909: %s:443:0 server certificate does NOT include an ID which '
                                  'matches the server name' % g.pick(('www.shop.example', 'localhost'))))
        if g.cloud:
            lat = g.latency(0.03)
            recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat, ua, ip, ref))
        return [(t, recs)]

    def start(self, t):
        g = self.g
        ip = g.pick(g.pod_ips)
        recs = [R(t, 'INFO', "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, "
                             "using %s. Set the 'ServerName' directive globally to suppress this message" % ip, STDERR),
                R(t + 1000, 'INFO', "AH00558: httpd: Could not reliably determine the server's fully qualified domain "
                                    "name, using %s. Set the 'ServerName' directive globally to suppress this message" % ip,
                  STDERR),
                self._err(t + 3000, 'mpm_event', 'notice', 'AH00489: Apache/2.4.58 (Unix) configured -- resuming normal '
                                                           'operations', 1),
                self._err(t + 3100, 'core', 'notice', "AH00094: Command line: 'httpd -D FOREGROUND'", 1)]
        return [(t, recs)]

    def stop(self, t):
        recs = [self._err(t, 'mpm_event', 'notice', 'AH00492: caught SIGWINCH, shutting down gracefully', 1)]
        return [(t, recs)] + self.start(t + 1500000)


# --------------------------------------------------------------------------- Python

PY_SEV = {'DEBUG': 'DEBUG', 'INFO': 'INFO', 'WARNING': 'WARNING', 'ERROR': 'ERROR', 'CRITICAL': 'CRITICAL'}


def gunicorn(t, pid, level, msg):
    return R(t, 'INFO' if level == 'INFO' else 'WARNING', '[%s +0000] [%d] [%s] %s' % (tp(t).pyasc, pid, level, msg),
             STDERR)


class PyApp(Service):
    """Shared by the Python services: logging formats, warnings, tracebacks."""
    pyver = '3.11'

    def __init__(self, g, name, pkg, logfmt):
        Service.__init__(self, g, name)
        self.pkg = pkg
        self.logfmt = logfmt  # default | asctime | dash | verbose | json
        self.sp = '/usr/local/lib/python%s/site-packages' % self.pyver

    def log(self, t, level, logger, msg, module='views'):
        f = self.logfmt
        if f == 'json':
            obj = {'message': msg, 'severity': level, 'logger': logger, 'timestamp': iso_us(t)}
            return (t, PY_SEV[level], STDOUT, None, obj, None, False)
        if f == 'default':
            s = '%s:%s:%s' % (level, logger, msg)
        elif f == 'asctime':
            s = '%s,%03d %s [%s] %s' % (tp(t).pyasc, (t % US) // 1000, level, logger, msg)
        elif f == 'dash':
            s = '%s,%03d - %s - %s - %s' % (tp(t).pyasc, (t % US) // 1000, logger, level, msg)
        else:  # Django's documented "verbose" format
            s = '%s %s,%03d %s %d %d %s' % (level, tp(t).pyasc, (t % US) // 1000, module, self.pid,
                                           self.thread, msg)
        return R(t, PY_SEV[level], s, STDERR)

    def log_exc(self, t, level, logger, msg, tb_lines):
        """logger.warning(msg, exc_info=True): the message, then the traceback."""
        if self.logfmt == 'json':
            obj = {'message': msg + '\n' + '\n'.join(tb_lines), 'severity': level, 'logger': logger,
                   'timestamp': iso_us(t)}
            return [(t, PY_SEV[level], STDOUT, None, obj, None, False)]
        first = self.log(t, level, logger, msg)
        return [first] + [R(t, PY_SEV[level], l, STDERR) for l in tb_lines]

    def warning_lines(self, t, text_lines):
        """What the warnings module prints on stderr (no logging prefix)."""
        return [R(t, 'WARNING', l, STDERR) for l in text_lines]

    # -- handled exceptions (short tracebacks) -------------------------------
    def tb_timeout(self, sku):
        sp = self.sp
        return ['Traceback (most recent call last):',
                '  File "/app/%s/clients/inventory.py", line %d, in get_stock' % (self.pkg, 57),
                '    resp = self._session.get(f"{self._base}/api/stock/{sku}", timeout=self._timeout)',
                '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
                '  File "%s/requests/sessions.py", line 602, in get' % sp,
                '    return self.request("GET", url, **kwargs)',
                '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
                '  File "%s/requests/adapters.py", line 713, in send' % sp,
                '    raise ReadTimeout(e, request=request)',
                "requests.exceptions.ReadTimeout: HTTPConnectionPool(host='inventory', port=8080): Read timed out. "
                "(read timeout=%.1f)" % self.g.pick((2.0, 2.5, 3.0, 5.0))]

    def tb_keyerror(self):
        return ['Traceback (most recent call last):',
                '  File "/app/%s/sessions.py", line 41, in load_session' % self.pkg,
                '    return SessionData(user_id=payload["user_id"], cart=payload.get("cart", []))',
                '                               ~~~~~~~^^^^^^^^^^^',
                "KeyError: 'user_id'"]

    def tb_valueerror(self, raw):
        return ['Traceback (most recent call last):',
                '  File "/app/%s/api/orders.py", line 118, in parse_quantity' % self.pkg,
                '    qty = int(raw)',
                '          ^^^^^^^^',
                "ValueError: invalid literal for int() with base 10: '%s'" % raw]

    def tb_redis(self):
        sp = self.sp
        return ['Traceback (most recent call last):',
                '  File "/app/%s/cache.py", line 57, in get_cached' % self.pkg,
                '    value = self._redis.get(key)',
                '            ^^^^^^^^^^^^^^^^^^^^',
                '  File "%s/redis/commands/core.py", line 1829, in get' % sp,
                '    return self.execute_command("GET", name)',
                '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
                '  File "%s/redis/client.py", line 545, in execute_command' % sp,
                '    return conn.retry.call_with_retry(',
                '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^',
                'redis.exceptions.TimeoutError: Timeout reading from socket']

    def handled_exception(self, t, logger):
        """A WARNING with a traceback, and the recovery that follows it."""
        g = self.g
        x = g.r()
        if x < 0.35:
            sku = g.between(10000, 99999)
            recs = self.log_exc(t, 'WARNING', logger, 'Stock lookup for sku %d timed out, retrying (attempt 1/3)' % sku,
                                self.tb_timeout(sku))
            later = [self.log(t + g.between(300000, 1500000), 'INFO', logger,
                              'Stock lookup for sku %d succeeded on attempt 2' % sku)]
        elif x < 0.6:
            sid = g.hex(16)
            recs = self.log_exc(t, 'WARNING', logger, 'Session %s has no user_id (created before 2024-11 migration); '
                                                      'starting a new session' % sid, self.tb_keyerror())
            later = [self.log(t + g.between(2000, 9000), 'INFO', logger, 'Session %s re-created for anonymous visitor' % sid)]
        elif x < 0.8:
            raw = g.pick(('two', '1.5', '', 'ten', '3x', 'null'))
            recs = self.log_exc(t, 'WARNING', logger, 'Rejected order line: bad quantity %r (returned 422)' % raw,
                                self.tb_valueerror(raw))
            later = []
        else:
            recs = self.log_exc(t, 'WARNING', logger, 'Cache read failed, serving from database instead',
                                self.tb_redis())
            later = [self.log(t + g.between(1000000, 4000000), 'INFO', logger,
                              'Redis connection pool healthy again (latency %.1f ms)' % (0.3 + g.r() * 2))]
        blocks = [(t, recs)]
        if later:
            blocks.append((later[0][0], later))
        return blocks


DJANGO_INFO = (
    lambda g: 'Order %d created for customer %d (items=%d, total=%.2f %s)' % (
        g.between(100000, 999999), g.between(1000, 99999), g.between(1, 7), 5 + g.r() * 400, g.pick(('EUR', 'USD', 'GBP'))),
    lambda g: 'Sent order confirmation to %s' % g.email(),
    lambda g: 'Payment intent pi_%s confirmed' % g.hex(24),
    lambda g: 'Cache miss for product:%d; loaded from database in %d ms' % (g.between(100, 99999), g.between(2, 40)),
    lambda g: 'Imported %d price updates from supplier feed %s' % (g.between(10, 4000), g.pick(('nordic-home', 'lumen-deco', 'acme-tools'))),
    lambda g: 'User %d logged in via %s' % (g.between(1000, 99999), g.pick(('password', 'google', 'apple', 'magic-link'))),
    lambda g: 'Password reset email queued for user %d' % g.between(1000, 99999),
    lambda g: 'Coupon %s applied to basket %s' % (g.pick(('SPRING10', 'WELCOME5', 'FREESHIP', 'VIP20')), g.hex(8)),
    lambda g: 'error_budget_remaining=%.2f%% error_rate_5m=0.000 requests_5m=%d' % (99.9 + g.r() * 0.09, g.between(800, 9000)),
    lambda g: 'Generated invoice INV-%d-%05d (%d lines)' % (2025, g.between(1, 99999), g.between(1, 12)),
    lambda g: 'Translation catalog %s loaded (%d messages, fatal_on_missing=False)' % (g.pick(('de', 'fr', 'nl', 'pt_BR')), g.between(800, 2400)),
)

DJANGO_WARN = (
    lambda g: 'Payment provider answered 409 for idempotency key %s; treating the charge as already captured' % g.uuid(),
    lambda g: 'Address validation service slow (%d ms); accepting address without normalisation' % g.between(1500, 4000),
    lambda g: 'Import %s: skipped %d rows with invalid price (first at row %d)' % (g.hex(8), g.between(1, 9), g.between(2, 400)),
    lambda g: 'Retrying webhook delivery to partner %s after HTTP 503 (attempt 1/5)' % g.pick(('shipfast', 'parcelio', 'erp-sync')),
)


class Django(PyApp):
    kind = 'django'
    weight = 5.0
    http = True

    def __init__(self, g, name, pkg):
        PyApp.__init__(self, g, name, pkg, 'verbose' if not g.cloud else g.pick(('verbose', 'json')))
        self.traffic = Traffic(g, 'storefront', allow_5xx=False, allow_499=False)
        self.workers = [g.between(7, 12) + i for i in range(g.between(2, 4))]
        self.thread = 139800000000000 + g.bits(40)
        self.access = g.r() < 0.7
        self.port = g.pick((8000, 8080))

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.72:
            method, path, status, size, kind = self.traffic.next()
            ip = g.pick(g.pod_ips) if not g.cloud else '169.254.1.1'
            ua = self.client_ua(kind, path)
            ref = '-' if kind in ('bot', 'health') else g.pick(REFERERS)
            recs = []
            self.pid = g.pick(self.workers)
            if status >= 400 and status != 499:
                reason = {404: 'Not Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
                          409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
                          405: 'Method Not Allowed'}.get(status, 'Bad Request')
                recs.append(self.log(t, 'WARNING', 'django.request', '%s: %s' % (reason, path.split('?')[0]), 'log'))
            if self.access:
                recs.append(R(t, 'INFO', '%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"' % (
                    ip, tp(t).clf, method, path, status, size, ref, ua), STDOUT))
            if g.cloud:
                lat = g.latency(0.06)
                recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat, ua, g.ip(), ref))
            return [(t, recs)] if recs else []
        self.pid = g.pick(self.workers)
        if x < 0.93:
            return [(t, [self.log(t, 'INFO', '%s.%s' % (self.pkg, g.pick(('orders', 'payments', 'accounts', 'catalog'))),
                                  g.pick(DJANGO_INFO)(g), g.pick(('views', 'services', 'tasks', 'signals')))])]
        if x < 0.975:
            return [(t, [self.log(t, 'WARNING', '%s.%s' % (self.pkg, g.pick(('payments', 'integrations', 'imports'))),
                                  g.pick(DJANGO_WARN)(g), 'services')])]
        if x < 0.99:
            host = g.pick(g.ips)
            return [(t, [self.log(t, 'ERROR', 'django.security.DisallowedHost',
                                  "Invalid HTTP_HOST header: '%s'. You may need to add '%s' to ALLOWED_HOSTS." % (host, host),
                                  'exception')])]
        if x < 0.996:
            return self.handled_exception(t, '%s.services' % self.pkg)
        # gunicorn max_requests: the worker restarts itself after N requests
        old = self.pid
        new = max(self.workers) + g.between(1, 40)
        self.workers[self.workers.index(old)] = new
        return [(t, [gunicorn(t, old, 'INFO', 'Autorestarting worker after current request.'),
                     gunicorn(t + 40000, old, 'INFO', 'Worker exiting (pid: %d)' % old),
                     gunicorn(t + 90000, 1, 'INFO', 'Booting worker with pid: %d' % new)])]

    def start(self, t):
        g = self.g
        sp = self.sp
        recs = [R(t, 'INFO', 'Operations to perform:'),
                R(t, 'INFO', '  Apply all migrations: accounts, admin, auth, catalog, contenttypes, orders, payments, sessions'),
                R(t, 'INFO', 'Running migrations:'),
                R(t, 'INFO', '  No migrations to apply.'),
                R(t + 400000, 'INFO', '%d static files copied to \'/app/staticfiles\', %d unmodified.' % (
                    g.between(0, 3), g.between(120, 260)))]
        t1 = t + 900000
        recs += self.warning_lines(t1, [
            '%s/django/conf/__init__.py:241: RemovedInDjango50Warning: The USE_L10N setting is deprecated. Starting with '
            'Django 5.0, localized formatting of data will always be enabled. For example Django will display numbers and '
            'dates using the format of the current locale.' % sp,
            '  warnings.warn(USE_L10N_DEPRECATED_MSG, RemovedInDjango50Warning)'])
        if g.r() < 0.5:
            recs += self.warning_lines(t1, [
                "%s/passlib/utils/__init__.py:854: DeprecationWarning: 'crypt' is deprecated and slated for removal in "
                "Python 3.13" % sp,
                '  from crypt import crypt as _crypt'])
        t2 = t1 + 200000
        recs += [gunicorn(t2, 1, 'INFO', 'Starting gunicorn %s' % g.pick(('21.2.0', '22.0.0', '23.0.0'))),
                 gunicorn(t2 + 2000, 1, 'INFO', 'Listening at: http://0.0.0.0:%d (1)' % self.port),
                 gunicorn(t2 + 2500, 1, 'INFO', 'Using worker: %s' % g.pick(('sync', 'gthread')))]
        self.workers = [g.between(7, 12) + i for i in range(len(self.workers))]
        for i, w in enumerate(self.workers):
            recs.append(gunicorn(t2 + 6000 + i * 3000, w, 'INFO', 'Booting worker with pid: %d' % w))
        return [(t, recs)]

    def stop(self, t):
        recs = [gunicorn(t, 1, 'INFO', 'Handling signal: term')]
        for i, w in enumerate(self.workers):
            recs.append(gunicorn(t + 20000 + i * 5000, w, 'INFO', 'Worker exiting (pid: %d)' % w))
        recs.append(gunicorn(t + 300000, 1, 'INFO', 'Shutting down: Master'))
        return [(t, recs)]


FASTAPI_INFO = (
    lambda g: 'quote computed for basket %s: %d items, %.2f EUR, %d ms' % (g.hex(8), g.between(1, 9), 3 + g.r() * 300, g.between(3, 60)),
    lambda g: 'search q=%r returned %d hits in %d ms' % (g.query().replace('+', ' '), g.between(0, 480), g.between(4, 90)),
    lambda g: 'recommendations refreshed for segment %s (%d products)' % (g.pick(('new', 'returning', 'vip', 'dormant')), g.between(20, 200)),
    lambda g: 'token issued for client %s (scope=%s, ttl=3600s)' % (g.pick(('web', 'ios', 'android', 'partner-erp')), g.pick(('read', 'read write'))),
    lambda g: 'slo window=5m requests=%d error_rate=0.000 p99_ms=%d' % (g.between(500, 20000), g.between(40, 400)),
    lambda g: 'feature flag %s evaluated to %s for %d%% of traffic' % (g.pick(('new_checkout', 'fail_fast_on_import_error', 'fast_search', 'async_emails')), g.pick(('on', 'off')), g.pick((0, 5, 25, 50, 100))),
    lambda g: 'published event order.updated id=%s to topic orders-events' % g.uuid(),
)
FASTAPI_WARN = (
    lambda g: 'request validation failed for POST /api/v1/orders: body.items.%d.quantity: Input should be greater than 0' % g.between(0, 4),
    lambda g: 'rate limit reached for api key ending %s (120/min); answered 429' % g.hex(4),
    lambda g: 'slow query (%d ms): SELECT products ... WHERE category_id = $1 ORDER BY rank LIMIT 50' % g.between(500, 2500),
    lambda g: 'upstream pricing-service answered 503, using cached price list from %d s ago' % g.between(10, 290),
    lambda g: 'Cloud SQL connection attempt 1 failed: connection refused; retrying in 1.0s',
)


class FastAPI(PyApp):
    kind = 'fastapi'
    weight = 6.0
    http = True
    pyver = '3.12'

    def __init__(self, g, name, pkg, under_gunicorn=False):
        PyApp.__init__(self, g, name, pkg, g.pick(('asctime', 'default')) if not g.cloud else g.pick(('json', 'asctime')))
        self.traffic = Traffic(g, 'api', allow_5xx=not g.cloud, allow_499=False)
        self.gunicorn = under_gunicorn
        self.workers = [g.between(7, 12) + i for i in range(g.between(2, 4))] if under_gunicorn else [1]

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.74:
            method, path, status, size, kind = self.traffic.next()
            client = '169.254.1.1' if g.cloud else g.pick(g.pod_ips)
            recs = [R(t, 'INFO', 'INFO:     %s:%d - "%s %s HTTP/1.1" %d %s' % (
                client, g.between(20000, 65000), method, path, status, REASONS.get(status, '')), STDOUT)]
            if status == 422 and r() < 0.5:
                recs.insert(0, self.log(t, 'WARNING', '%s.api' % self.pkg, g.pick(FASTAPI_WARN[:1])(g)))
            if g.cloud:
                lat = g.latency(0.035)
                recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat,
                                             g.ua[int(r() * len(g.ua))], g.ip()))
            return [(t, recs)]
        if x < 0.86:
            if r() < 0.5:
                k = int(r() * 3)
                method, url = (('GET', 'http://inventory:8080/api/stock/%d' % g.between(1000, 99999)),
                               ('GET', 'http://pricing-service:8080/api/prices?sku=%d' % g.between(1000, 99999)),
                               ('POST', 'http://auth.internal/v1/tokens/introspect'))[k]
                st = 200 if r() < 0.97 else (404 if k < 2 else 401)
                return [(t, [self.log(t, 'INFO', 'httpx', 'HTTP Request: %s %s "HTTP/1.1 %d %s"' % (
                    method, url, st, REASONS[st]))])]
            return [(t, [self.log(t, 'INFO', '%s.%s' % (self.pkg, g.pick(('api', 'service', 'events'))), g.pick(FASTAPI_INFO)(g))])]
        if x < 0.965:
            msg = g.pick(FASTAPI_WARN)(g)
            recs = [self.log(t, 'WARNING', '%s.%s' % (self.pkg, g.pick(('api', 'db', 'clients'))), msg)]
            blocks = [(t, recs)]
            if msg.startswith('Cloud SQL'):
                t2 = t + g.between(1000000, 1300000)
                blocks.append((t2, [self.log(t2, 'INFO', '%s.db' % self.pkg, 'Cloud SQL connection established after 2 attempts')]))
            return blocks
        if x < 0.975:
            return [(t, [R(t, 'WARNING', 'WARNING:  Invalid HTTP request received.', STDERR)])]
        return self.handled_exception(t, '%s.clients' % self.pkg)

    def start(self, t):
        g = self.g
        sp = self.sp
        recs = []
        if self.gunicorn:
            recs += [gunicorn(t, 1, 'INFO', 'Starting gunicorn %s' % g.pick(('22.0.0', '23.0.0'))),
                     gunicorn(t + 2000, 1, 'INFO', 'Listening at: http://0.0.0.0:8080 (1)'),
                     gunicorn(t + 2500, 1, 'INFO', 'Using worker: uvicorn.workers.UvicornWorker')]
            self.workers = [g.between(7, 12) + i for i in range(len(self.workers))]
            for i, w in enumerate(self.workers):
                recs.append(gunicorn(t + 6000 + i * 3000, w, 'INFO', 'Booting worker with pid: %d' % w))
        t1 = t + 700000
        if g.r() < 0.6:
            recs += self.warning_lines(t1, [
                '%s/pydantic/_internal/_config.py:321: UserWarning: Valid config keys have changed in V2:' % sp,
                "* 'orm_mode' has been renamed to 'from_attributes'",
                '  warnings.warn(message, UserWarning)'])
        if g.r() < 0.5:
            recs += self.warning_lines(t1, [
                '/app/%s/main.py:42: DeprecationWarning: ' % self.pkg,
                '        on_event is deprecated, use lifespan event handlers instead.',
                '',
                '        Read more about it in the',
                '        [FastAPI docs for Lifespan Events](https://fastapi.tiangolo.com/advanced/events/).',
                '        ',
                '  @app.on_event("startup")'])
        t2 = t1 + 300000
        for i, w in enumerate(self.workers):
            tw = t2 + i * 20000
            if self.gunicorn:
                recs += [gunicorn(tw, w, 'INFO', 'Started server process [%d]' % w),
                         gunicorn(tw + 1000, w, 'INFO', 'Waiting for application startup.')]
                recs.append(self.log(tw + 5000, 'INFO', '%s.startup' % self.pkg, 'orjson not installed, using the standard json module')
                            if g.r() < 0.3 else self.log(tw + 5000, 'INFO', '%s.startup' % self.pkg, 'connected to database (pool size %d)' % g.pick((5, 10, 20))))
                recs.append((tw + 9000, 'INFO', STDERR, '[%s +0000] [%d] [INFO] Application startup complete.' % (
                    tp(tw + 9000).pyasc, w), None, None, True))
            else:
                recs += [R(tw, 'INFO', 'INFO:     Started server process [%d]' % w, STDERR),
                         R(tw + 1000, 'INFO', 'INFO:     Waiting for application startup.', STDERR),
                         self.log(tw + 5000, 'INFO', '%s.startup' % self.pkg, 'connected to database (pool size %d)' % g.pick((5, 10, 20))),
                         RREC(tw + 9000, 'INFO', 'INFO:     Application startup complete.', STDERR),
                         R(tw + 9500, 'INFO', 'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)', STDERR)]
        return [(t, recs)]

    def stop(self, t):
        recs = []
        if self.gunicorn:
            recs.append(gunicorn(t, 1, 'INFO', 'Handling signal: term'))
            for i, w in enumerate(self.workers):
                tw = t + 10000 + i * 4000
                recs += [gunicorn(tw, w, 'INFO', 'Shutting down'),
                         gunicorn(tw + 1000, w, 'INFO', 'Waiting for application shutdown.'),
                         gunicorn(tw + 3000, w, 'INFO', 'Application shutdown complete.'),
                         gunicorn(tw + 3500, w, 'INFO', 'Finished server process [%d]' % w),
                         gunicorn(tw + 4000, w, 'INFO', 'Worker exiting (pid: %d)' % w)]
            recs.append(gunicorn(t + 400000, 1, 'INFO', 'Shutting down: Master'))
        else:
            recs = [R(t, 'INFO', 'INFO:     Shutting down', STDERR),
                    R(t + 1000, 'INFO', 'INFO:     Waiting for application shutdown.', STDERR),
                    R(t + 4000, 'INFO', 'INFO:     Application shutdown complete.', STDERR),
                    R(t + 4500, 'INFO', 'INFO:     Finished server process [1]', STDERR)]
        return [(t, recs)]


class Celery(PyApp):
    kind = 'celery'
    weight = 4.0

    def __init__(self, g, name, pkg):
        PyApp.__init__(self, g, name, pkg, 'asctime')
        self.tasks = tuple('%s.tasks.%s' % (pkg, n) for n in ('send_order_confirmation', 'sync_inventory',
                                                              'generate_invoice_pdf', 'cleanup_expired_carts',
                                                              'refresh_search_index', 'import_supplier_feed'))
        self.conc = g.pick((2, 4, 8))
        self.host = self.pod if not g.cloud else 'localhost'
        self.pending = []

    def clog(self, t, level, proc, msg):
        return R(t, PY_SEV[level], '[%s,%03d: %s/%s] %s' % (tp(t).pyasc, (t % US) // 1000, level, proc, msg), STDERR)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        name = g.pick(self.tasks)
        tid = g.uuid()
        worker = 'ForkPoolWorker-%d' % g.between(1, self.conc)
        dur = g.latency(0.08) if 'pdf' not in name else g.latency(1.2)
        t2 = t + int(dur * US) + g.between(200, 3000)
        if x < 0.94:
            result = 'None' if r() < 0.7 else g.pick(("{'sent': True}", str(g.between(0, 400)), "'ok'"))
            return [(t, [self.clog(t, 'INFO', 'MainProcess', 'Task %s[%s] received' % (name, tid))]),
                    (t2, [self.clog(t2, 'INFO', worker, 'Task %s[%s] succeeded in %.*fs: %s' % (
                        name, tid, g.pick((3, 4, 5, 6, 9, 12, 15)), dur, result))])]
        if x < 0.975:
            err = g.pick(("ConnectionError('inventory service timed out')", "SMTPServerDisconnected('Connection unexpectedly closed')",
                          "HTTPError('429 Client Error: Too Many Requests for url: https://api.partner.example/v2/stock')"))
            delay = g.pick((5, 10, 30, 60))
            t3 = t2 + delay * US + g.between(1000, 90000)
            t4 = t3 + int(g.latency(0.1) * US)
            return [(t, [self.clog(t, 'INFO', 'MainProcess', 'Task %s[%s] received' % (name, tid))]),
                    (t2, [self.clog(t2, 'INFO', worker, 'Task %s[%s] retry: Retry in %ds: %s' % (name, tid, delay, err))]),
                    (t3, [self.clog(t3, 'INFO', 'MainProcess', 'Task %s[%s] received' % (name, tid))]),
                    (t4, [self.clog(t4, 'INFO', worker, 'Task %s[%s] succeeded in %.6fs: None' % (name, tid, (t4 - t3) / 1e6))])]
        if x < 0.99:
            job = g.pick(('cleanup-expired-carts', 'refresh-search-index', 'import-supplier-feed'))
            return [(t, [self.clog(t, 'INFO', 'MainProcess', 'Scheduler: Sending due task %s (%s.tasks.%s)' % (
                job, self.pkg, job.replace('-', '_')))])]
        return [(t, [self.clog(t, 'WARNING', worker, '%s: skipped %d supplier rows with missing EAN; import continues' % (
            name, g.between(1, 30)))])]

    def start(self, t):
        g = self.g
        p = tp(t)
        lines = [' ',
                 ' -------------- celery@%s v5.3.6 (emerald-rush)' % self.host,
                 '--- ***** ----- ',
                 '-- ******* ---- Linux-6.1.0-18-cloud-amd64-x86_64-with-glibc2.36 %s' % p.pyasc,
                 '- *** --- * --- ',
                 '- ** ---------- [config]',
                 '- ** ---------- .> app:         %s:0x7f%010x' % (self.pkg, g.bits(40)),
                 '- ** ---------- .> transport:   redis://redis:6379/0',
                 '- ** ---------- .> results:     redis://redis:6379/1',
                 '- *** --- * --- .> concurrency: %d (prefork)' % self.conc,
                 '-- ******* ---- .> task events: OFF (enable -E to monitor tasks in this worker)',
                 '--- ***** ----- ',
                 ' -------------- [queues]',
                 '                .> celery           exchange=celery(direct) key=celery',
                 '                ',
                 '',
                 '[tasks]']
        lines += ['  . %s' % n for n in sorted(self.tasks)]
        lines.append('')
        recs = [R(t, 'INFO', l, STDERR) for l in lines]
        t1 = t + 150000
        recs += [self.clog(t1, 'INFO', 'MainProcess', 'Connected to redis://redis:6379/0'),
                 self.clog(t1 + 2000, 'WARNING', 'MainProcess',
                           '%s/celery/worker/consumer/consumer.py:507: CPendingDeprecationWarning: The '
                           'broker_connection_retry configuration setting will no longer determine' % self.sp),
                 R(t1 + 2000, 'WARNING', 'whether broker connection retries are made during startup in Celery 6.0 and above.', STDERR),
                 R(t1 + 2000, 'WARNING', 'If you wish to retain the existing behavior for retrying connections on startup,', STDERR),
                 R(t1 + 2000, 'WARNING', 'you should set broker_connection_retry_on_startup to True.', STDERR),
                 R(t1 + 2000, 'WARNING', '  warnings.warn(', STDERR),
                 R(t1 + 2000, 'WARNING', '', STDERR),
                 self.clog(t1 + 9000, 'INFO', 'MainProcess', 'mingle: searching for neighbors'),
                 self.clog(t1 + 1020000, 'INFO', 'MainProcess', 'mingle: all alone'),
                 self.clog(t1 + 1050000, 'INFO', 'MainProcess', 'celery@%s ready.' % self.host)]
        return [(t, recs)]

    def stop(self, t):
        return [(t, [R(t, 'INFO', '', STDERR), R(t, 'INFO', 'worker: Warm shutdown (MainProcess)', STDERR)])]


class PyWorker(PyApp):
    """A batch/cron style Python worker with logging.basicConfig()'s default format."""
    kind = 'python-worker'
    weight = 2.5

    def __init__(self, g, name, pkg):
        PyApp.__init__(self, g, name, pkg, 'default')
        self.job_n = 0

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        L = self.log
        if x < 0.3:
            nxt = tp(t + 300 * US)
            return [(t, [L(t, 'INFO', 'apscheduler.executors.default',
                           'Running job "refresh_rates (trigger: interval[0:05:00], next run at: %s %s UTC)" '
                           '(scheduled at %s %s+00:00)' % (nxt.ymd, nxt.hms, tp(t).ymd, tp(t).hms))]),
                    (t + 400000, [L(t + 400000, 'INFO', 'apscheduler.executors.default',
                                    'Job "refresh_rates (trigger: interval[0:05:00], next run at: %s %s UTC)" executed '
                                    'successfully' % (nxt.ymd, nxt.hms))])]
        if x < 0.65:
            n = g.between(50, 20000)
            return [(t, [L(t, 'INFO', 'importer', 'Imported %s rows from gs://%s-imports/%s-%s.csv in %.2fs' % (
                format(n, ','), g.project.split('-')[0], g.pick(('products', 'prices', 'stock', 'customers')),
                tp(t).ymd, n / 4000.0 + r()))])]
        if x < 0.8:
            return [(t, [L(t, 'WARNING', 'importer', 'Skipped %d rows with invalid price (rows %s)' % (
                g.between(1, 4), ', '.join(str(g.between(2, 5000)) for _ in range(2))))])]
        if x < 0.9:
            host = g.pick(('api.partner.example', 'rates.fx.example', 'feeds.supplier.example'))
            t2 = t + g.between(1000000, 3000000)
            return [(t, [L(t, 'WARNING', 'urllib3.connectionpool',
                           "Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection "
                           "broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='%s', port=443): Read timed out. "
                           "(read timeout=10)\")': /v2/%s" % (host, g.pick(('rates', 'stock', 'catalog'))))]),
                    (t2, [L(t2, 'INFO', 'importer', 'Fetched %s after 1 retry (HTTP 200, %d bytes)' % (host, g.between(2000, 900000)))])]
        self.job_n += 1
        w = g.between(1, 8)
        if r() < 0.3:
            return [(t, [L(t, 'INFO', 'importer.pool', 'reaped idle worker %d (killed after 300s without work; pool %d -> %d)' % (
                w, 4, 3))])]
        return [(t, [L(t, 'INFO', 'importer.pool', 'worker %d exited normally after %d tasks (exit code 0)' % (w, g.between(100, 5000))),
                     L(t + 2000, 'INFO', 'importer.pool', 'worker %d started (pid %d)' % (w, g.between(100, 30000)))])]

    def start(self, t):
        g = self.g
        recs = self.warning_lines(t, ["/app/%s/compat.py:3: DeprecationWarning: 'cgi' is deprecated and slated for "
                                      "removal in Python 3.13" % self.pkg, '  import cgi'])
        recs += [self.log(t + 5000, 'INFO', 'importer', 'Starting importer %s (workers=%d, batch_size=%d)' % (
            g.pick(('1.8.2', '1.9.0', '2.0.1')), g.between(2, 8), g.pick((500, 1000, 5000)))),
                 self.log(t + 9000, 'INFO', 'apscheduler.scheduler', 'Adding job tentatively -- it will be properly '
                                                                      'scheduled when the scheduler starts'),
                 self.log(t + 12000, 'INFO', 'apscheduler.scheduler', 'Added job "refresh_rates" to job store "default"'),
                 self.log(t + 12500, 'INFO', 'apscheduler.scheduler', 'Scheduler started')]
        return [(t, recs)]

    def stop(self, t):
        return [(t, [self.log(t, 'INFO', 'importer', 'Received SIGTERM, finishing current batch'),
                     self.log(t + 800000, 'INFO', 'importer', 'Importer exited normally (processed=%d, skipped=%d)' % (
                         self.g.between(1000, 90000), self.g.between(0, 40)))])]


# --------------------------------------------------------------------------- Node.js

NODE_DEPRECATIONS = (
    ('(node:%d) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.',
     '(Use `node --trace-deprecation ...` to show where the warning was created)'),
    ('(node:%d) [DEP0005] DeprecationWarning: Buffer() is deprecated due to security and usability issues. Please use the '
     'Buffer.alloc(), Buffer.allocUnsafe(), or Buffer.from() methods instead.',
     '(Use `node --trace-deprecation ...` to show where the warning was created)'),
    ('(node:%d) ExperimentalWarning: The Fetch API is an experimental feature. This feature could change at any time',
     '(Use `node --trace-warnings ...` to show where the warning was created)'),
)


class Express(Service):
    kind = 'express'
    weight = 5.0
    http = True

    def __init__(self, g, name, pkgname):
        Service.__init__(self, g, name)
        self.traffic = Traffic(g, 'storefront', allow_5xx=not g.cloud, allow_499=False)
        self.pkgname = pkgname
        self.morgan = g.pick(('combined', 'combined', 'tiny', 'short'))
        self.port = 8080 if g.cloud else g.pick((3000, 8080))
        self.version = '%d.%d.%d' % (g.between(1, 4), g.between(0, 30), g.between(0, 12))

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.8:
            method, path, status, size, kind = self.traffic.next()
            ip = '::ffff:%s' % (g.pick(g.pod_ips) if not g.cloud else '169.254.1.1')
            ua = self.client_ua(kind, path)
            ref = '-' if kind in ('bot', 'health') else g.pick(REFERERS)
            lat = g.latency(0.03)
            sz = str(size) if size else '-'
            m = self.morgan
            if m == 'combined':
                line = '%s - - [%s] "%s %s HTTP/1.1" %d %s "%s" "%s"' % (ip, tp(t).clf, method, path, status, sz, ref, ua)
            elif m == 'tiny':
                line = '%s %s %d %s - %.3f ms' % (method, path, status, sz, lat * 1000)
            else:
                line = '%s - %s %s HTTP/1.1 %d %s - %.3f ms' % (ip, method, path, status, sz, lat * 1000)
            recs = [R(t, 'INFO', line)]
            if status in (400, 422) and r() < 0.6:
                recs.insert(0, R(t, 'WARNING', 'Request validation failed for %s %s: "%s" %s (responded %d)' % (
                    method, path.split('?')[0], g.pick(('email', 'quantity', 'postcode', 'cardToken')),
                    g.pick(('must be a valid email', 'must be greater than or equal to 1', 'is required',
                            'must be a string')), status), STDERR))
            if g.cloud:
                recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat, ua, g.ip(), ref))
            return [(t, recs)]
        if x < 0.93:
            msg = g.pick((
                lambda: 'cart %s updated (%d items)' % (g.hex(8), g.between(1, 9)),
                lambda: 'rendered /products/%s in %d ms (cache %s)' % (g.slug(), g.between(8, 140), g.pick(('hit', 'miss', 'hit'))),
                lambda: 'session store: %d active sessions' % g.between(40, 4000),
                lambda: 'GET /api/v1/errors/summary -> 0 errors in the last 15m',
                lambda: 'prefetched %d category pages' % g.between(5, 40),
                lambda: 'keep-alive: killed %d idle sockets older than 65s' % g.between(1, 30),
            ))()
            return [(t, [R(t, 'INFO', msg)])]
        if x < 0.997:
            return [(t, [R(t, 'WARNING', g.pick((
                'Slow upstream: catalog-api took %d ms for /api/v1/products' % g.between(800, 3000),
                'CSRF token mismatch for session %s; asked the client to reload' % g.hex(12),
                'Image CDN returned 404 for %s-640.webp, serving placeholder' % g.slug(2),
            )), STDERR)])]
        # a handled error printed with console.warn(err): the retry succeeds
        n = g.between(1000, 99999)
        recs = [R(t, 'WARNING', l, STDERR) for l in (
            'Retrying payment capture for order %d (attempt 1/3) after error: Error: socket hang up' % n,
            '    at connResetException (node:internal/errors:787:14)',
            '    at TLSSocket.socketOnEnd (node:_http_client:519:23)',
            '    at TLSSocket.emit (node:events:530:35)',
            '    at endReadableNT (node:internal/streams/readable:1696:12)',
            '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {',
            "  code: 'ECONNRESET'",
            '}')]
        t2 = t + g.between(400000, 2000000)
        return [(t, recs), (t2, [R(t2, 'INFO', 'Payment capture for order %d succeeded on attempt 2' % n)])]

    def start(self, t):
        g = self.g
        recs = [R(t, 'INFO', ''), R(t, 'INFO', '> %s@%s start' % (self.pkgname, self.version)),
                R(t, 'INFO', '> node server.js'), R(t, 'INFO', '')]
        if g.r() < 0.6:
            a, b = g.pick(NODE_DEPRECATIONS)
            recs += [R(t + 300000, 'WARNING', a % g.between(1, 40), STDERR), R(t + 300000, 'WARNING', b, STDERR)]
        recs += [R(t + 420000, 'INFO', 'Connected to Redis at redis://redis:6379'),
                 R(t + 450000, 'INFO', '%s listening on port %d (%s)' % (self.pkgname, self.port, g.pick(('production', 'production', 'staging'))))]
        return [(t, recs)]

    def stop(self, t):
        return [(t, [R(t, 'INFO', 'SIGTERM received: closing HTTP server'),
                     R(t + 120000, 'INFO', 'HTTP server closed; %d connections drained' % self.g.between(0, 30)),
                     R(t + 130000, 'INFO', 'Redis connection closed, exiting with code 0')])]


def base36(n):
    d = '0123456789abcdefghijklmnopqrstuvwxyz'
    out = ''
    while True:
        n, k = divmod(n, 36)
        out = d[k] + out
        if not n:
            return out


class Fastify(Service):
    """Fastify's built-in pino logger: JSON lines."""
    kind = 'pino'
    weight = 5.0
    http = True

    def __init__(self, g, name):
        Service.__init__(self, g, name)
        self.traffic = Traffic(g, 'api', allow_5xx=not g.cloud, allow_499=False)
        self.req = g.between(1, 5000)
        self.hostname = self.pod if not g.cloud else 'localhost'

    def pino(self, t, level, fields, msg):
        obj = {'level': level, 'time': t // 1000, 'pid': self.pid, 'hostname': self.hostname}
        obj.update(fields)
        obj['msg'] = msg
        return RJ(t, {10: 'DEBUG', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR'}[level], obj)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.82:
            method, path, status, size, kind = self.traffic.next()
            self.req += 1
            rid = 'req-%s' % base36(self.req)
            ip = g.pick(g.pod_ips) if not g.cloud else '169.254.1.1'
            lat = g.latency(0.02)
            recs = [self.pino(t, 30, {'reqId': rid, 'req': {'method': method, 'url': path, 'hostname': '%s:8080' % self.name,
                                                           'remoteAddress': ip, 'remotePort': g.between(20000, 65000)}},
                              'incoming request')]
            t2 = t + int(lat * US)
            if status == 404 and kind == 'bot':
                recs.append(self.pino(t2, 30, {'reqId': rid}, 'Route %s:%s not found' % (method, path)))
            elif status == 400:
                field = g.pick(('email', 'quantity', 'sku', 'currency'))
                recs.append(self.pino(t2, 30, {'reqId': rid, 'err': {
                    'type': 'Error', 'message': "body must have required property '%s'" % field,
                    'stack': "Error: body must have required property '%s'\n    at defaultSchemaErrorFormatter "
                             "(/app/node_modules/fastify/lib/context.js:111:10)\n    at wrapValidationError "
                             "(/app/node_modules/fastify/lib/validation.js:235:17)" % field,
                    'code': 'FST_ERR_VALIDATION', 'name': 'Error', 'statusCode': 400, 'validation': [
                        {'instancePath': '', 'schemaPath': '#/required', 'keyword': 'required',
                         'params': {'missingProperty': field}, 'message': "must have required property '%s'" % field}],
                    'validationContext': 'body'}}, "body must have required property '%s'" % field))
            recs.append(self.pino(t2, 30, {'reqId': rid, 'res': {'statusCode': status}, 'responseTime': round(lat * 1000, 6)},
                                  'request completed'))
            if g.cloud:
                recs.append(self.request_log(t, method, path, status, size, lat, g.ua[int(r() * len(g.ua))], g.ip()))
            return [(t, recs)]
        if x < 0.95:
            return [(t, [self.pino(t, 30, {}, g.pick((
                'inventory reservation %s confirmed' % g.uuid(),
                'webhook %s delivered in %d ms' % (g.hex(10), g.between(20, 800)),
                'price cache refreshed: %d entries' % g.between(500, 20000),
                'metrics: error_rate=0.000 in_flight=%d heap_used_mb=%d' % (g.between(0, 40), g.between(60, 300)),
            )))])]
        if x < 0.99:
            return [(t, [self.pino(t, 40, {'attempt': 1, 'delayMs': g.pick((200, 500, 1000))}, g.pick((
                'partner API answered 429, backing off',
                'slow query on orders (%d ms), consider an index on (customer_id, created_at)' % g.between(400, 2000),
                'deprecated header X-Api-Version used by client %s' % g.pick(('ios-4.11', 'partner-erp', 'android-4.10')),
            )))])]
        # redis blip: the client logs the error, reconnects, and says so
        t2 = t + g.between(300000, 1500000)
        return [(t, [self.pino(t, 50, {'err': {'type': 'Error', 'message': 'getaddrinfo EAI_AGAIN redis',
                                               'stack': 'Error: getaddrinfo EAI_AGAIN redis\n    at GetAddrInfoReqWrap.onlookup '
                                                        '[as oncomplete] (node:dns:118:26)',
                                               'errno': -3001, 'code': 'EAI_AGAIN', 'syscall': 'getaddrinfo',
                                               'hostname': 'redis'}}, 'redis connection error, reconnecting (attempt 1)')]),
                (t2, [self.pino(t2, 30, {}, 'redis ready')])]

    def start(self, t):
        return [(t, [self.pino(t, 30, {}, 'Server listening at http://0.0.0.0:8080'),
                     self.pino(t + 2000, 30, {}, 'Server listening at http://[::1]:8080' if not self.g.cloud else 'redis ready')])]

    def stop(self, t):
        return [(t, [self.pino(t, 30, {}, 'received SIGTERM, closing server'),
                     self.pino(t + 90000, 30, {}, 'server closed')])]


class Winston(Service):
    """A Node worker logging with winston's json format (defaultMeta: service)."""
    kind = 'winston'
    weight = 3.5

    def __init__(self, g, name):
        Service.__init__(self, g, name)

    def w(self, t, level, msg, **meta):
        obj = {'level': level, 'message': msg}
        obj.update(meta)
        obj['service'] = self.name
        obj['timestamp'] = iso_ms(t)
        return RJ(t, {'info': 'INFO', 'warn': 'WARNING', 'error': 'ERROR', 'debug': 'DEBUG'}[level], obj)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.85:
            return [(t, [self.w(t, 'info', g.pick((
                'Email sent to %s (template=%s, provider=ses)' % (g.email(), g.pick(('order-confirmation', 'shipping-update', 'password-reset'))),
                'Push notification delivered to %d devices' % g.between(1, 6),
                'Consumed %d messages from orders-events in %d ms' % (g.between(1, 200), g.between(5, 400)),
                'SMS queued for +44 7700 9%05d' % g.between(0, 99999),
                'Template cache warm: %d templates' % g.between(10, 60),
                'Child process for template render exited with code 0 after %d ms' % g.between(40, 900),
            )))])]
        if x < 0.97:
            blocks = []
            msg = g.pick(('Email provider returned 429, backing off %d ms (attempt 1/5)' % g.pick((500, 1000, 2000)),
                          'Bounce received for %s; address suppressed' % g.email(),
                          "Deprecated import of 'mongodb/lib/operations' by mongoose plugin; update @acme/audit to 3.x"))
            blocks.append((t, [self.w(t, 'warn', msg)]))
            if msg.startswith('Email provider'):
                t2 = t + g.between(600000, 2500000)
                blocks.append((t2, [self.w(t2, 'info', 'Email sent to %s after 1 retry' % g.email())]))
            return blocks
        return [(t, [self.w(t, 'error', 'Failed to render template %s for locale %s; fell back to en' % (
            g.pick(('shipping-update', 'invoice')), g.pick(('pt-BR', 'nl', 'ja'))), errorCode='TEMPLATE_MISSING_LOCALE')])]

    def start(self, t):
        g = self.g
        return [(t, [self.w(t, 'info', 'Starting %s v%d.%d.%d' % (self.name, g.between(1, 3), g.between(0, 20), g.between(0, 9)),
                            node=g.pick(('v20.11.1', 'v20.12.0', 'v18.19.1'))),
                     self.w(t + 300000, 'info', 'Connected to MongoDB at mongodb://mongo:27017/notifications'),
                     self.w(t + 320000, 'info', 'Subscribed to orders-events (group %s)' % self.name)])]

    def stop(self, t):
        return [(t, [self.w(t, 'info', 'SIGTERM received, draining consumer'),
                     self.w(t + 500000, 'info', 'Consumer closed cleanly')])]


# --------------------------------------------------------------------------- Java (Spring Boot, logback)

def logback_logger(name):
    """%-40.40logger{39}: abbreviate to 39, cut from the left at 40, pad to 40."""
    s = logback_abbrev(name, 39)
    if len(s) > 40:
        s = s[-40:]
    return s.ljust(40)


SPRING_BANNER = ('',
                 '  .   ____          _            __ _ _',
                 " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
                 "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
                 " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
                 "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
                 ' =========|_|==============|___/=/_/_/_/',
                 '')


class Spring(Service):
    kind = 'spring'
    weight = 6.0
    http = True

    def __init__(self, g, name, pkg, app_class):
        Service.__init__(self, g, name)
        self.pkg = pkg                  # com.acme.orders
        self.app_class = app_class      # OrdersApplication
        self.boot = g.pick(('3.2.4', '3.2.5', '3.3.1', '3.1.9'))
        self.app_name = name if self.boot >= '3.2' else None
        self.traffic = Traffic(g, 'api', allow_5xx=False, allow_499=False)
        self.execn = g.between(1, 10)
        self._cache = {}
        self.pid = 1 if g.cloud or g.r() < 0.7 else g.between(7, 90)

    def lg(self, name):
        s = self._cache.get(name)
        if s is None:
            s = self._cache[name] = logback_logger(name)
        return s

    def sb(self, t, level, thread, logger, msg, stream=STDOUT):
        th = thread[-15:].rjust(15)
        app = '[%s] ' % self.app_name if self.app_name else ''
        line = '%s.%03dZ %5s %d --- %s[%s] %s : %s' % (tp(t).iso, (t % US) // 1000, level, self.pid, app, th,
                                                       self.lg(logger), msg)
        return (t, {'INFO': 'INFO', 'WARN': 'WARNING', 'ERROR': 'ERROR', 'DEBUG': 'DEBUG'}[level], stream, line, None,
                None, False)

    def exec_thread(self):
        return 'http-nio-8080-exec-%d' % self.g.between(1, 10)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        P = self.pkg
        if x < 0.55:
            method, path, status, size, kind = self.traffic.next()
            recs = []
            th = self.exec_thread()
            if status == 404 and kind == 'bot':
                recs.append(self.sb(t, 'WARN', th, 'org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver',
                                    'Resolved [org.springframework.web.servlet.resource.NoResourceFoundException: No static '
                                    'resource %s.]' % path.lstrip('/').split('?')[0]))
            elif status == 400:
                recs.append(self.sb(t, 'WARN', th, 'org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver',
                                    g.pick(("Resolved [org.springframework.http.converter.HttpMessageNotReadableException: JSON "
                                            "parse error: Unexpected character ('}' (code 125)): was expecting double-quote to "
                                            "start field name]",
                                            "Resolved [org.springframework.web.bind.MissingServletRequestParameterException: "
                                            "Required request parameter 'page' for method parameter type Integer is not present]"))))
            elif status == 405 or (method == 'OPTIONS' and r() < 0.3):
                recs.append(self.sb(t, 'WARN', th, 'org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver',
                                    "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request "
                                    "method '%s' is not supported]" % method))
            elif method == 'POST' and status == 201:
                recs.append(self.sb(t, 'INFO', th, '%s.web.OrderController' % P, 'Created order %d for customer %d (%d lines)' % (
                    g.between(100000, 999999), g.between(1000, 99999), g.between(1, 9))))
            elif method == 'GET' and r() < 0.15:
                recs.append(self.sb(t, 'INFO', th, '%s.service.CatalogService' % P,
                                    'Loaded %d products for page %d in %d ms' % (g.between(10, 100), g.between(1, 30), g.between(2, 60))))
            if g.cloud:
                lat = g.latency(0.04)
                recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat,
                                             g.ua[int(r() * len(g.ua))], g.ip()))
            return [(t, recs)] if recs else []
        if x < 0.8:
            th = g.pick(('scheduling-1', 'task-%d' % g.between(1, 8), self.exec_thread()))
            k = int(r() * 4)
            if k == 0:
                lg, msg, th = '%s.jobs.OutboxPublisher' % P, 'Published %d outbox events (error_rate=0.000)' % g.between(0, 80), 'scheduling-1'
            elif k == 1:
                lg, msg = '%s.service.ReservationService' % P, 'Reserved stock for order %d (%d lines)' % (
                    g.between(100000, 999999), g.between(1, 9))
            elif k == 2:
                lg, msg = '%s.service.InvoiceService' % P, 'Invoice INV-2025-%05d rendered in %d ms' % (g.between(1, 99999), g.between(30, 400))
            else:
                lg, msg, th = '%s.jobs.ReservationExpiry' % P, 'Expired %d unpaid reservations' % g.between(0, 25), 'scheduling-1'
            return [(t, [self.sb(t, 'INFO', th, lg, msg)])]
        if x < 0.87:
            th = self.exec_thread()
            email = g.email()
            return [(t, [self.sb(t, 'WARN', th, 'org.hibernate.engine.jdbc.spi.SqlExceptionHelper', 'SQL Error: 0, SQLState: 23505'),
                         self.sb(t, 'ERROR', th, 'org.hibernate.engine.jdbc.spi.SqlExceptionHelper',
                                 'ERROR: duplicate key value violates unique constraint "customers_email_key"'),
                         R(t, 'ERROR', '  Detail: Key (email)=(%s) already exists.' % email),
                         self.sb(t + 1000, 'WARN', th, '%s.web.CustomerController' % P,
                                 'Signup rejected: email already registered (answered 409)')])]
        if x < 0.92:
            return [(t, [self.sb(t, 'WARN', 'HikariPool-1 housekeeper' if r() < 0.3 else self.exec_thread(),
                                 'com.zaxxer.hikari.pool.PoolBase',
                                 'HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@%08x '
                                 '(This connection has been closed.). Possibly consider using a shorter maxLifetime value.'
                                 % g.bits(32))])]
        if x < 0.98:
            return [(t, [self.sb(t, 'WARN', self.exec_thread(), '%s.web.RateLimitFilter' % P,
                                 'Rate limit exceeded for client %s (%d req/min); answered 429' % (
                                     g.pick(('partner-erp', 'ios-4.12', 'web')), g.between(600, 1200)))])]
        # a handled exception, logged with its stack trace, and the retry that works
        th = self.exec_thread()
        sku = g.between(10000, 99999)
        trace = ['org.springframework.web.client.ResourceAccessException: I/O error on GET request for '
                 '"http://inventory:8080/api/stock/%d": Read timed out' % sku,
                 '\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:905)',
                 '\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:885)',
                 '\tat org.springframework.web.client.RestTemplate.execute(RestTemplate.java:790)',
                 '\tat org.springframework.web.client.RestTemplate.getForObject(RestTemplate.java:380)',
                 '\tat %s.client.InventoryClient.stockFor(InventoryClient.java:48)' % P,
                 '\tat %s.service.ReservationService.reserve(ReservationService.java:71)' % P,
                 '\tat %s.web.OrderController.create(OrderController.java:54)' % P,
                 '\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)',
                 '\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)',
                 '\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)',
                 '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)',
                 '\tat org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)',
                 '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
                 'Caused by: java.net.SocketTimeoutException: Read timed out',
                 '\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)',
                 '\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:304)',
                 '\tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:346)',
                 '\t... 52 common frames omitted']
        recs = [self.sb(t, 'WARN', th, '%s.client.InventoryClient' % P,
                        'Inventory call failed for sku %d, retrying (attempt 1 of 3)' % sku)]
        recs += [R(t, 'WARNING', l) for l in trace]
        t2 = t + g.between(250000, 1200000)
        return [(t, recs), (t2, [self.sb(t2, 'INFO', th, '%s.client.InventoryClient' % P,
                                         'Inventory call for sku %d succeeded on attempt 2' % sku)])]

    def start(self, t):
        g = self.g
        P = self.pkg
        recs = [R(t, 'INFO', l) for l in SPRING_BANNER[:-1]]
        recs += [R(t, 'INFO', ' :: Spring Boot ::                (v%s)' % self.boot), R(t, 'INFO', '')]
        tt = [t + 600000]

        def L(level, thread, logger, msg, dt=15000):
            tt[0] += g.between(dt // 3, dt)
            recs.append(self.sb(tt[0], level, thread, logger, msg))
        M = 'main'
        java = g.pick(('21.0.2', '17.0.10', '21.0.3'))
        L('INFO', M, '%s.%s' % (P, self.app_class), 'Starting %s v%d.%d.%d using Java %s with PID %d (/app/app.jar started by '
          'app in /app)' % (self.app_class, g.between(1, 3), g.between(0, 30), g.between(0, 9), java, self.pid))
        L('INFO', M, '%s.%s' % (P, self.app_class), 'The following 1 profile is active: "%s"' % g.pick(('prod', 'gcp', 'production')))
        L('INFO', M, 'org.springframework.data.repository.config.RepositoryConfigurationDelegate',
          'Bootstrapping Spring Data JPA repositories in DEFAULT mode.', 900000)
        L('INFO', M, 'org.springframework.data.repository.config.RepositoryConfigurationDelegate',
          'Finished Spring Data repository scanning in %d ms. Found %d JPA repository interfaces.' % (g.between(60, 240), g.between(3, 14)), 300000)
        L('INFO', M, 'org.springframework.boot.web.embedded.tomcat.TomcatWebServer', 'Tomcat initialized with port 8080 (http)', 900000)
        L('INFO', M, 'org.apache.catalina.core.StandardService', 'Starting service [Tomcat]')
        L('INFO', M, 'org.apache.catalina.core.StandardEngine', 'Starting Servlet engine: [Apache Tomcat/10.1.%d]' % g.between(18, 24))
        L('INFO', M, 'org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]', 'Initializing Spring embedded WebApplicationContext', 90000)
        L('INFO', M, 'org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext',
          'Root WebApplicationContext: initialization completed in %d ms' % g.between(900, 2600))
        L('INFO', M, 'org.hibernate.jpa.internal.util.LogHelper', 'HHH000204: Processing PersistenceUnitInfo [name: default]', 300000)
        L('INFO', M, 'org.hibernate.Version', 'HHH000412: Hibernate ORM core version 6.4.4.Final')
        L('INFO', M, 'org.hibernate.cache.internal.RegionFactoryInitiator', 'HHH000026: Second-level cache disabled')
        L('INFO', M, 'org.springframework.orm.jpa.persistenceunit.SpringPersistenceUnitInfo',
          'No LoadTimeWeaver setup: ignoring JPA class transformer', 200000)
        L('INFO', M, 'com.zaxxer.hikari.HikariDataSource', 'HikariPool-1 - Starting...')
        L('INFO', M, 'com.zaxxer.hikari.pool.HikariPool', 'HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@%08x' % g.bits(32), 400000)
        L('INFO', M, 'com.zaxxer.hikari.HikariDataSource', 'HikariPool-1 - Start completed.')
        L('WARN', M, 'org.hibernate.orm.deprecation', "HHH90000025: PostgreSQLDialect does not need to be specified explicitly "
          "using 'hibernate.dialect' (remove the property setting and it will be selected by default)")
        L('INFO', M, 'org.hibernate.engine.transaction.jta.platform.internal.JtaPlatformInitiator',
          "HHH000489: No JTA platform available (set 'hibernate.transaction.jta.platform' to enable JTA platform integration)", 900000)
        L('INFO', M, 'org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean',
          "Initialized JPA EntityManagerFactory for persistence unit 'default'")
        L('WARN', M, 'org.springframework.boot.autoconfigure.orm.jpa.JpaBaseConfiguration$JpaWebConfiguration',
          'spring.jpa.open-in-view is enabled by default. Therefore, database queries may be performed during view rendering. '
          'Explicitly configure spring.jpa.open-in-view to disable this warning', 600000)
        L('INFO', M, 'org.springframework.boot.actuate.endpoint.web.EndpointLinksResolver',
          "Exposing %d endpoint(s) beneath base path '/actuator'" % g.between(1, 4), 900000)
        L('INFO', M, 'org.springframework.boot.web.embedded.tomcat.TomcatWebServer',
          "Tomcat started on port 8080 (http) with context path ''", 300000)
        secs = (tt[0] - t) / 1e6 + 0.4
        tt[0] += 20000
        line = self.sb(tt[0], 'INFO', M, '%s.%s' % (P, self.app_class), 'Started %s in %.3f seconds (process running for %.3f)' % (
            self.app_class, secs, secs + 0.6 + g.r()))
        recs.append(line[:6] + (True,))
        L('INFO', 'http-nio-8080-exec-1', 'org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/]',
          "Initializing Spring DispatcherServlet 'dispatcherServlet'", 900000)
        L('INFO', 'http-nio-8080-exec-1', 'org.springframework.web.servlet.DispatcherServlet', "Initializing Servlet 'dispatcherServlet'", 3000)
        L('INFO', 'http-nio-8080-exec-1', 'org.springframework.web.servlet.DispatcherServlet', 'Completed initialization in %d ms' % g.between(1, 3), 3000)
        return [(t, recs)]

    def stop(self, t):
        H = 'SpringApplicationShutdownHook'
        return [(t, [self.sb(t, 'INFO', H, 'org.springframework.boot.web.embedded.tomcat.GracefulShutdown',
                             'Commencing graceful shutdown. Waiting for active requests to complete'),
                     self.sb(t + 40000, 'INFO', 'tomcat-shutdown', 'org.springframework.boot.web.embedded.tomcat.GracefulShutdown',
                             'Graceful shutdown complete'),
                     self.sb(t + 60000, 'INFO', H, 'org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean',
                             "Closing JPA EntityManagerFactory for persistence unit 'default'"),
                     self.sb(t + 62000, 'INFO', H, 'com.zaxxer.hikari.HikariDataSource', 'HikariPool-1 - Shutdown initiated...'),
                     self.sb(t + 70000, 'INFO', H, 'com.zaxxer.hikari.HikariDataSource', 'HikariPool-1 - Shutdown completed.')])]


class KafkaConsumer(Spring):
    """A Spring Kafka consumer: the Kafka client's own lines plus the app's."""
    kind = 'kafka-consumer'
    weight = 3.5
    http = False

    def __init__(self, g, name, pkg, app_class, topic, group):
        Spring.__init__(self, g, name, pkg, app_class)
        self.topic = topic
        self.group = group
        self.client = 'consumer-%s-1' % group
        self.cid = '[Consumer clientId=%s, groupId=%s]' % (self.client, group)
        self.parts = g.between(3, 12)
        self.gen = g.between(3, 90)
        self.offsets = [g.between(10000, 9000000) for _ in range(self.parts)]
        self.thread = 'org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1'
        self.member = '%s-%s' % (self.client, g.uuid())

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        T = self.thread
        if x < 0.8:
            p = g.between(0, self.parts - 1)
            n = g.between(1, 500)
            self.offsets[p] += n
            return [(t, [self.sb(t, 'INFO', T, '%s.consumer.OrderEventsListener' % self.pkg,
                                 'Processed %d records from %s-%d in %d ms (offset=%d, lag=%d)' % (
                                     n, self.topic, p, g.between(3, 400), self.offsets[p], g.pick((0, 0, 0, 1, 2, 14))))])]
        if x < 0.9:
            return [(t, [self.sb(t, 'INFO', T, 'org.apache.kafka.clients.NetworkClient', '%s Node -1 disconnected.' % self.cid)])]
        if x < 0.96:
            return [(t, [self.sb(t, 'INFO', T, 'org.apache.kafka.clients.FetchSessionHandler',
                                 '%s Error sending fetch request (sessionId=%d, epoch=%d) to node %d:' % (
                                     self.cid, g.bits(31), g.between(1, 90000), g.between(0, 2))),
                         R(t, 'INFO', 'org.apache.kafka.common.errors.DisconnectException: null')])]
        if x < 0.985:
            p = g.between(0, 11)
            return [(t, [self.sb(t, 'WARN', 'kafka-producer-network-thread | producer-1',
                                 'org.apache.kafka.clients.producer.internals.Sender',
                                 '[Producer clientId=producer-1] Got error produce response with correlation id %d on '
                                 'topic-partition %s-dlq-%d, retrying (2147483646 attempts left). Error: '
                                 'NOT_LEADER_OR_FOLLOWER' % (g.between(1000, 900000), self.topic, p)),
                         self.sb(t, 'WARN', 'kafka-producer-network-thread | producer-1',
                                 'org.apache.kafka.clients.producer.internals.Sender',
                                 '[Producer clientId=producer-1] Received invalid metadata error in produce request on '
                                 'partition %s-dlq-%d due to org.apache.kafka.common.errors.NotLeaderOrFollowerException: '
                                 'For requests intended only for the leader, this error indicates that the broker is not '
                                 'the current leader. For requests intended for any replica, this error indicates that the '
                                 'broker is not a replica of the topic partition.. Going to request metadata update now'
                                 % (self.topic, p))])]
        return self.rebalance(t, 'group is already rebalancing')

    def rebalance(self, t, reason):
        g = self.g
        T = self.thread
        CC = 'org.apache.kafka.clients.consumer.internals.ConsumerCoordinator'
        parts = ', '.join('%s-%d' % (self.topic, p) for p in range(self.parts))
        self.gen += 1
        gen = "Generation{generationId=%d, memberId='%s', protocol='range'}" % (self.gen, self.member)
        recs = [self.sb(t, 'INFO', T, CC, '%s Request joining group due to: %s' % (self.cid, reason)),
                self.sb(t + 1000, 'INFO', T, CC, '%s Revoke previously assigned partitions %s' % (self.cid, parts)),
                self.sb(t + 3000, 'INFO', T, 'org.springframework.kafka.listener.KafkaMessageListenerContainer',
                        '%s: partitions revoked: [%s]' % (self.group, parts)),
                self.sb(t + 4000, 'INFO', T, CC, '%s (Re-)joining group' % self.cid)]
        t2 = t + g.between(2000000, 5000000)
        recs2 = [self.sb(t2, 'INFO', T, CC, '%s Successfully joined group with generation %s' % (self.cid, gen)),
                 self.sb(t2 + 20000, 'INFO', T, CC, '%s Successfully synced group in generation %s' % (self.cid, gen)),
                 self.sb(t2 + 21000, 'INFO', T, CC, '%s Notifying assignor about the new Assignment(partitions=[%s])' % (self.cid, parts)),
                 self.sb(t2 + 22000, 'INFO', T, CC, '%s Adding newly assigned partitions: %s' % (self.cid, parts))]
        for p in range(self.parts):
            recs2.append(self.sb(t2 + 30000 + p * 300, 'INFO', T, CC,
                                 '%s Setting offset for partition %s-%d to the committed offset FetchPosition{offset=%d, '
                                 'offsetEpoch=Optional[%d], currentLeader=LeaderAndEpoch{leader=Optional[kafka-%d.kafka:9092 '
                                 '(id: %d rack: null)], epoch=%d}}' % (self.cid, self.topic, p, self.offsets[p], 7,
                                                                      p % 3, p % 3, 7)))
        recs2.append(self.sb(t2 + 40000, 'INFO', T, 'org.springframework.kafka.listener.KafkaMessageListenerContainer',
                             '%s: partitions assigned: [%s]' % (self.group, parts)))
        return [(t, recs), (t2, recs2)]

    def start(self, t):
        g = self.g
        blocks = Spring.start(self, t)
        t0 = blocks[-1][1][-1][0] + 50000
        T = self.thread
        cfg = ['\tallow.auto.create.topics = true', '\tauto.commit.interval.ms = 5000', '\tauto.offset.reset = earliest',
               '\tbootstrap.servers = [kafka-0.kafka:9092, kafka-1.kafka:9092, kafka-2.kafka:9092]',
               '\tcheck.crcs = true', '\tclient.id = %s' % self.client, '\tenable.auto.commit = false',
               '\tfetch.max.bytes = 52428800', '\tgroup.id = %s' % self.group,
               '\tkey.deserializer = class org.apache.kafka.common.serialization.StringDeserializer',
               '\tmax.poll.interval.ms = 300000', '\tmax.poll.records = 500', '\tsession.timeout.ms = 45000',
               '\tsecurity.protocol = PLAINTEXT',
               '\tvalue.deserializer = class org.springframework.kafka.support.serializer.ErrorHandlingDeserializer', '']
        recs = [self.sb(t0, 'INFO', 'main', 'org.apache.kafka.clients.consumer.ConsumerConfig', 'ConsumerConfig values: ')]
        recs += [R(t0, 'INFO', l) for l in cfg]
        AIP = 'org.apache.kafka.common.utils.AppInfoParser'
        recs += [self.sb(t0 + 9000, 'INFO', 'main', AIP, 'Kafka version: 3.6.1'),
                 self.sb(t0 + 9000, 'INFO', 'main', AIP, 'Kafka commitId: 5e3c2b738d253ff5'),
                 self.sb(t0 + 9000, 'INFO', 'main', AIP, 'Kafka startTimeMs: %d' % ((t0 + 9000) // 1000)),
                 self.sb(t0 + 12000, 'INFO', 'main', 'org.apache.kafka.clients.consumer.KafkaConsumer',
                         '%s Subscribed to topic(s): %s' % (self.cid, self.topic)),
                 self.sb(t0 + 250000, 'INFO', T, 'org.apache.kafka.clients.Metadata',
                         '%s Cluster ID: %s' % (self.cid, ''.join(g.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') for _ in range(22)))),
                 self.sb(t0 + 260000, 'INFO', T, 'org.apache.kafka.clients.consumer.internals.ConsumerCoordinator',
                         '%s Discovered group coordinator kafka-1.kafka:9092 (id: 2147483646 rack: null)' % self.cid)]
        blocks.append((t0, recs))
        blocks += self.rebalance(t0 + 270000, "need to re-join with the given member-id: %s" % self.member)
        return blocks


# --------------------------------------------------------------------------- Go

class GoZap(Service):
    """zap's production JSON encoder (or the GCP-style config: severity/message/timestamp)."""
    kind = 'go-zap'
    weight = 5.0
    http = True

    def __init__(self, g, name, module):
        Service.__init__(self, g, name)
        self.module = module
        self.gcp = g.cloud and g.r() < 0.6
        self.traffic = Traffic(g, 'api', allow_5xx=not g.cloud, allow_499=False)

    def z(self, t, level, caller, msg, fields=(), stack=None):
        if self.gcp:
            obj = {'severity': level.upper().replace('WARN', 'WARNING'), 'timestamp': iso_us(t)[:-1] + '000Z',
                   'caller': caller, 'message': msg}
        else:
            obj = {'level': level, 'ts': round(t / 1e6, 7), 'caller': caller, 'msg': msg}
        for k, v in fields:
            obj[k] = v
        if stack:
            obj['stacktrace'] = stack
        return (t, {'debug': 'DEBUG', 'info': 'INFO', 'warn': 'WARNING', 'error': 'ERROR'}[level], STDERR, None, obj,
                None, False)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.75:
            method, path, status, size, kind = self.traffic.next()
            lat = g.latency(0.015)
            recs = [self.z(t, 'info' if status < 500 else 'warn', 'httpserver/middleware.go:%d' % 64, 'request served', (
                ('method', method), ('path', path.split('?')[0]), ('status', status), ('bytes', size),
                ('duration', round(lat, 6)), ('request_id', g.hex(16))))]
            if g.cloud:
                recs.append(self.request_log(t - int(lat * US), method, path, status, size, lat,
                                             g.ua[int(r() * len(g.ua))], g.ip()))
            return [(t, recs)]
        if x < 0.9:
            k = int(r() * 4)
            caller, msg, fields = (
                ('ledger/poster.go:118', 'posted journal batch',
                 (('batch', g.between(1, 9999)), ('entries', g.between(1, 400)), ('error_rate', 0.0))),
                ('fx/refresher.go:57', 'rates refreshed', (('pairs', g.between(20, 180)), ('source', 'ecb'), ('age_s', g.between(1, 300)))),
                ('slo/window.go:44', 'slo window closed',
                 (('window', '5m'), ('requests', g.between(200, 30000)), ('errors', 0), ('error_rate', 0.0))),
                ('worker/pool.go:92', 'worker pool resized', (('from', g.between(2, 8)), ('to', g.between(2, 8)), ('queue_depth', g.between(0, 50)))),
            )[k]
            return [(t, [self.z(t, 'info', caller, msg, fields)])]
        if x < 0.93:
            return [(t, [self.z(t, 'warn', 'telemetry/otel.go:52', 'non-fatal: trace exporter unreachable, dropping spans', (
                ('endpoint', 'otel-collector:4317'), ('error', 'context deadline exceeded'), ('dropped', g.between(1, 512))))])]
        if x < 0.97:
            key = 'quote:%s%s' % (g.pick(('EUR', 'USD', 'GBP', 'JPY')), g.pick(('USD', 'CHF', 'SEK', 'PLN')))
            return [(t, [self.z(t, 'warn', 'cache/redis.go:77', 'cache read failed, falling back to origin', (
                ('key', key), ('error', 'context deadline exceeded'), ('attempt', 1)))])]
        # an error-level line that is handled (zap adds the stack trace at error level)
        t2 = t + g.between(1000000, 5000000)
        return [(t, [self.z(t, 'error', 'feed/client.go:88', 'upstream rate-limited request, will retry', (
            ('provider', 'fx-feed'), ('status', 429), ('error', '429 Too Many Requests'), ('retry_in', '2s')),
            '%s/internal/feed.(*Client).Fetch\n\t/src/internal/feed/client.go:88\n%s/internal/fx.(*Refresher).run\n'
            '\t/src/internal/fx/refresher.go:61' % (self.module, self.module))]),
            (t2, [self.z(t2, 'info', 'feed/client.go:95', 'upstream request succeeded after retry', (('provider', 'fx-feed'), ('attempt', 2)))])]

    def start(self, t):
        g = self.g
        return [(t, [self.z(t, 'info', 'cmd/server/main.go:41', 'starting', (
            ('version', 'v%d.%d.%d' % (g.between(0, 3), g.between(0, 40), g.between(0, 9))), ('go', g.pick(('go1.22.1', 'go1.21.8'))))),
                     self.z(t + 40000, 'info', 'db/pool.go:33', 'connected to postgres', (('max_conns', 20),)),
                     self.z(t + 60000, 'info', 'cmd/server/main.go:77', 'http server listening', (('addr', ':8080'),))])]

    def stop(self, t):
        return [(t, [self.z(t, 'info', 'cmd/server/main.go:92', 'shutdown signal received', (('signal', 'terminated'),)),
                     self.z(t + 300000, 'info', 'cmd/server/main.go:101', 'server stopped gracefully', (('drained', self.g.between(0, 20)),))])]


class GoLogrus(Service):
    """logrus text formatter, plus net/http's own log lines on the standard logger."""
    kind = 'go-logrus'
    weight = 4.0

    def __init__(self, g, name):
        Service.__init__(self, g, name)

    def lr(self, t, level, msg, fields=''):
        if any(c in msg for c in ' ="'):
            msg = '"%s"' % msg.replace('"', '\\"')
        return R(t, {'debug': 'DEBUG', 'info': 'INFO', 'warning': 'WARNING', 'error': 'ERROR'}[level],
                 'time="%sZ" level=%s msg=%s%s' % (tp(t).iso, level, msg, (' ' + fields) if fields else ''), STDERR)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.7:
            return [(t, [self.lr(t, 'info', g.pick(('webhook delivered', 'feed synced', 'reconciled subscriptions', 'export uploaded')),
                                 g.pick(('component=dispatcher partner=%s status=200 duration=%dms' % (g.pick(('shipfast', 'parcelio', 'erp-sync')), g.between(20, 900)),
                                         'component=syncer feed=%s items=%d duration=%.3fs' % (g.pick(('nordic-home', 'lumen-deco')), g.between(0, 5000), g.r() * 5),
                                         'component=reconciler checked=%d changed=%d errors=0' % (g.between(10, 900), g.between(0, 9)),
                                         'component=validator fatal=0 warnings=%d rules=%d' % (g.between(0, 3), g.between(40, 90)),
                                         'component=exporter object="gs://exports/%s/orders.csv.gz" bytes=%d' % (tp(t).ymd, g.between(1000, 9000000)))))])]
        if x < 0.85:
            url = 'https://hooks.%s.example/events' % g.pick(('shipfast', 'parcelio', 'erp-sync'))
            t2 = t + g.between(2000000, 30000000)
            return [(t, [self.lr(t, 'warning', 'retrying webhook delivery',
                                 'attempt=1 error="Post \\"%s\\": context deadline exceeded (Client.Timeout exceeded while '
                                 'awaiting headers)" next_retry=%ds' % (url, g.pick((2, 5, 10))))]),
                    (t2, [self.lr(t2, 'info', 'webhook delivered', 'attempt=2 status=204 url="%s"' % url)])]
        if x < 0.93:
            return [(t, [R(t, 'INFO', '%s http: TLS handshake error from %s:%d: %s' % (
                tp(t).ymd_slash, g.ip(), g.between(1024, 65000), g.pick(('EOF', 'remote error: tls: bad certificate',
                                                                          'read tcp 10.4.1.9:8443->%s:%d: read: connection reset by peer' % (g.ip(), g.between(1024, 65000))))), STDERR)])]
        if x < 0.9985:
            return [(t, [self.lr(t, 'error', 'webhook rejected by partner, not retrying',
                                 'status=422 partner=%s body="{\\"error\\":\\"unknown order reference\\"}"' % g.pick(('shipfast', 'parcelio')))])]
        # net/http recovered a handler panic: the server keeps running
        ip = g.pick(g.pod_ips)
        return [(t, [R(t, 'ERROR', l, STDERR) for l in (
            '%s http: panic serving %s:%d: runtime error: index out of range [3] with length 3' % (tp(t).ymd_slash, ip, g.between(20000, 65000)),
            'goroutine %d [running]:' % g.between(100, 90000),
            'net/http.(*conn).serve.func1()',
            '\t/usr/local/go/src/net/http/server.go:1898 +0xbe',
            'panic({0x8a1b20?, 0xc0001a2b40?})',
            '\t/usr/local/go/src/runtime/panic.go:770 +0x132',
            'github.com/acme/%s/internal/api.(*Handler).exportCSV(0xc00019e0a0, {0xa23f58, 0xc0002c81c0}, 0xc0003b6000)' % self.name,
            '\t/src/internal/api/export.go:57 +0x4e5',
            'net/http.HandlerFunc.ServeHTTP(0xc0000a8f60?, {0xa23f58?, 0xc0002c81c0?}, 0x0?)',
            '\t/usr/local/go/src/net/http/server.go:2166 +0x29',
            'net/http.(*conn).serve(0xc0001b2000, {0xa24a10, 0xc00012e2d0})',
            '\t/usr/local/go/src/net/http/server.go:2044 +0x650',
            'created by net/http.(*Server).Serve in goroutine 1',
            '\t/usr/local/go/src/net/http/server.go:3086 +0x5cb')])]

    def start(self, t):
        g = self.g
        return [(t, [self.lr(t, 'info', 'starting %s' % self.name, 'version=v%d.%d.%d commit=%s' % (
            g.between(0, 3), g.between(0, 30), g.between(0, 9), g.hex(7))),
                     self.lr(t + 20000, 'info', 'listening', 'addr=":8443" tls=true')])]

    def stop(self, t):
        return [(t, [self.lr(t, 'info', 'received terminated, shutting down'),
                     self.lr(t + 200000, 'info', 'dispatcher stopped', 'pending=0')])]


# --------------------------------------------------------------------------- klog (Kubernetes and friends)

def klog(t, level, pid, src, msg):
    return R(t, {'I': 'INFO', 'W': 'WARNING'}[level], '%s%s.%06d %7d %s] %s' % (level, tp(t).klog, t % US, pid, src, msg),
             STDERR)


class K8sBase(Service):
    cloud_run = False
    restarts = 0.0

    def __init__(self, g, name, fleet_pods):
        Service.__init__(self, g, name)
        self.pods = fleet_pods
        self.kpid = g.between(500, 4000)

    def a_pod(self):
        g = self.g
        d = g.pick(self.pods)
        return d, '%s-%s-%s' % (d, g.hex(9 if g.r() < 0.5 else 10)[:9 + int(g.r() * 2)],
                                ''.join(g.pick('bcdfghjklmnpqrstvwxz2456789') for _ in range(5)))


class Kubelet(K8sBase):
    kind = 'kubelet'
    weight = 1.6

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        P = self.kpid
        dep, pod = self.a_pod()
        ns = 'shop'
        uid = g.uuid()
        fq = '%s/%s' % (ns, pod)
        if x < 0.18:
            # a pod rolls: it is created, mounts its volumes, starts, becomes ready
            vol = 'kube-api-access-%s' % ''.join(g.pick('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))
            cid = g.hex(64)
            ip = g.pick(g.pod_ips)
            b1 = [klog(t, 'I', P, 'kubelet.go:2398', '"SyncLoop ADD" source="api" pods=["%s"]' % fq),
                  klog(t + 30000, 'I', P, 'reconciler_common.go:258', '"operationExecutor.VerifyControllerAttachedVolume started '
                       'for volume \\"%s\\" (UniqueName: \\"kubernetes.io/projected/%s-%s\\") pod \\"%s\\" (UID: \\"%s\\") " '
                       'pod="%s"' % (vol, uid, vol, pod, uid, fq)),
                  klog(t + 140000, 'I', P, 'operation_generator.go:721', '"MountVolume.SetUp succeeded for volume \\"%s\\" '
                       '(UniqueName: \\"kubernetes.io/projected/%s-%s\\") pod \\"%s\\" (UID: \\"%s\\") " pod="%s"' % (
                           vol, uid, vol, pod, uid, fq)),
                  klog(t + 150000, 'I', P, 'util.go:30', '"No sandbox for pod can be found. Need to start a new one" pod="%s"' % fq)]
            t2 = t + g.between(900000, 3000000)
            b2 = [klog(t2, 'I', P, 'kubelet.go:2430', '"SyncLoop (PLEG): event for pod" pod="%s" event={"ID":"%s",'
                       '"Type":"ContainerStarted","Data":"%s"}' % (fq, uid, cid)),
                  klog(t2 + 2000, 'I', P, 'pod_startup_latency_tracker.go:102', '"Observed pod startup duration" pod="%s" '
                       'podStartSLOduration=%.9f podStartE2EDuration="%.9fs"' % (fq, (t2 - t) / 1e6, (t2 - t) / 1e6 + 0.4))]
            t3 = t2 + g.between(1500000, 6000000)
            b3 = [klog(t3, 'I', P, 'prober.go:107', '"Probe failed" probeType="Readiness" pod="%s" podUID="%s" containerName="%s" '
                       'probeResult="failure" output="Get \\"http://%s:8080/readyz\\": dial tcp %s:8080: connect: connection '
                       'refused"' % (fq, uid, dep, ip, ip))] if r() < 0.4 else []
            t4 = t3 + g.between(4000000, 10000000)
            b4 = [klog(t4, 'I', P, 'kubelet.go:2470', '"SyncLoop (probe)" probe="readiness" status="ready" pod="%s"' % fq)]
            return [(t, b1), (t2, b2)] + ([(t3, b3)] if b3 else []) + [(t4, b4)]
        if x < 0.3:
            cid = g.hex(64)
            b1 = [klog(t, 'I', P, 'kubelet.go:2414', '"SyncLoop DELETE" source="api" pods=["%s"]' % fq),
                  klog(t + 600, 'I', P, 'kubelet_pods.go:1146', '"Killing unwanted pod" podName="%s"' % pod),
                  klog(t + 1000, 'I', P, 'kuberuntime_container.go:779', '"Killing container with a grace period" pod="%s" '
                       'podUID="%s" containerName="%s" containerID="containerd://%s" gracePeriod=30' % (fq, uid, dep, cid))]
            t2 = t + g.between(1000000, 8000000)
            b2 = [klog(t2, 'I', P, 'kubelet.go:2430', '"SyncLoop (PLEG): event for pod" pod="%s" event={"ID":"%s",'
                       '"Type":"ContainerDied","Data":"%s"}' % (fq, uid, cid)),
                  klog(t2 + 3000, 'I', P, 'kubelet.go:2408', '"SyncLoop REMOVE" source="api" pods=["%s"]' % fq),
                  klog(t2 + 4000, 'I', P, 'kubelet.go:2402', '"SyncLoop DELETE" source="api" pods=["%s"]' % fq),
                  klog(t2 + 90000, 'I', P, 'scope.go:117', '"RemoveContainer" containerID="%s"' % cid)]
            t3 = t2 + g.between(1000000, 60000000)
            b3 = [klog(t3, 'I', P, 'kubelet_volumes.go:163', '"Cleaned up orphaned pod volumes dir" podUID="%s" '
                       'path="/var/lib/kubelet/pods/%s/volumes"' % (uid, uid))]
            return [(t, b1), (t2, b2), (t3, b3)]
        if x < 0.85:
            return [(t, [klog(t, 'I', P, 'kubelet.go:2470', '"SyncLoop (probe)" probe="%s" status="%s" pod="%s"' % (
                g.pick(('readiness', 'readiness', 'startup')), g.pick(('ready', 'started')), fq))])] if r() < 0.3 else \
                [(t, [klog(t, 'I', P, 'kubelet.go:2398' if r() < 0.5 else 'kubelet.go:2404', '"SyncLoop UPDATE" source="api" pods=["%s"]' % fq)])]
        if x < 0.93:
            sl = 'kubepods-burstable-pod%s.slice' % uid.replace('-', '_')
            return [(t, [klog(t, 'W', P, 'watcher.go:93', 'Error while processing event ("/sys/fs/cgroup/kubepods.slice/'
                              'kubepods-burstable.slice/%s": 0x40000100 == IN_CREATE|IN_ISDIR): inotify_add_watch '
                              '/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/%s: no such file or directory' % (sl, sl))])]
        if x < 0.97:
            return [(t, [klog(t, 'I', P, 'image_gc_manager.go:391', '"Disk usage on image filesystem is over the high threshold, '
                              'trying to free bytes down to the low threshold" usage=%d highThreshold=85 amountToFree=%d '
                              'lowThreshold=80' % (g.between(85, 88), g.between(100000000, 900000000))),
                         klog(t + 90000, 'I', P, 'image_gc_manager.go:447', '"Removing image to free bytes" imageID="sha256:%s" '
                              'size=%d runtimeHandler=""' % (g.hex(64), g.between(20000000, 400000000)))])]
        return [(t, [klog(t, 'W', P, 'reflector.go:470', 'k8s.io/client-go/informers/factory.go:160: watch of *v1.ConfigMap ended '
                          'with: an error on the server ("unable to decode an event from the watch stream: http2: client '
                          'connection lost") has prevented the request from succeeding')])]


class KubeProxy(K8sBase):
    kind = 'kube-proxy'
    weight = 0.3

    def steady(self, t):
        g = self.g
        P = self.kpid
        ms = 20 + g.expo(30)
        return [(t, [klog(t, 'I', P, 'proxier.go:796', '"Syncing iptables rules"'),
                     klog(t + 8000, 'I', P, 'proxier.go:1494', '"Reloading service iptables data" numServices=%d numEndpoints=%d '
                          'numFilterChains=6 numFilterRules=%d numNATChains=%d numNATRules=%d' % (
                              g.between(40, 60), g.between(80, 140), g.between(4, 12), g.between(14, 24), g.between(80, 140))),
                     klog(t + int(ms * 1000), 'I', P, 'proxier.go:790', '"SyncProxyRules complete" elapsed="%.6fms"' % ms)])]


class CoreDNS(K8sBase):
    kind = 'coredns'
    restarts = 0.08
    weight = 3.0

    def steady(self, t):
        g = self.g
        r = g.r
        d = g.pick(self.pods)
        client = g.pick(g.pod_ips)
        qid = g.between(1, 65535)
        if r() < 0.7:
            qtype = 'A' if r() < 0.6 else 'AAAA'
            name = '%s.shop.svc.cluster.local.' % d
            rcode, flags = 'NOERROR', 'qr,aa,rd'
            size = 106 if qtype == 'A' else 155
        else:
            ext = g.pick(('api.stripe.com', 'oauth2.googleapis.com', 'storage.googleapis.com', 'hooks.shipfast.example'))
            if r() < 0.6:
                name = '%s.%s.' % (ext, g.pick(('shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local')))
                qtype, rcode, flags, size = g.pick(('A', 'AAAA')), 'NXDOMAIN', 'qr,aa,rd', 149
            else:
                name = ext + '.'
                qtype, rcode, flags, size = 'A', 'NOERROR', 'qr,rd,ra', g.between(60, 400)
        lat = 0.00005 + g.expo(0.0004) if flags == 'qr,aa,rd' else 0.002 + g.expo(0.02)
        return [(t, [R(t, 'INFO', '[INFO] %s:%d - %d "%s IN %s udp %d false %d" %s %s %d %.9fs' % (
            client, g.between(30000, 60000), qid, qtype, name, len(name) + 17, 512 if r() < 0.5 else 1232, rcode, flags, size,
            lat))])]

    def start(self, t):
        g = self.g
        return [(t, [R(t, 'INFO', '[WARNING] plugin/kubernetes: starting server with unsynced Kubernetes API'),
                     R(t, 'INFO', '.:53'),
                     R(t, 'INFO', '[INFO] plugin/reload: Running configuration SHA512 = %s' % g.hex(128)),
                     R(t, 'INFO', 'CoreDNS-1.11.1'),
                     R(t, 'INFO', 'linux/amd64, go1.20.7, ae2bbc2')])]


class Scheduler(K8sBase):
    kind = 'kube-scheduler'
    weight = 1.0

    def steady(self, t):
        g = self.g
        P = self.kpid
        dep, pod = self.a_pod()
        if g.r() < 0.97:
            n = g.between(3, 9)
            return [(t, [klog(t, 'I', P, 'schedule_one.go:286', '"Successfully bound pod to node" pod="shop/%s" node="%s" '
                              'evaluatedNodes=%d feasibleNodes=%d' % (pod, self.node(), n, g.between(1, n)))])]
        return [(t, [klog(t, 'I', P, 'schedule_one.go:1004', '"Unable to schedule pod; no fit; waiting" pod="shop/%s" err="0/%d '
                          'nodes are available: %d Insufficient cpu. preemption: 0/%d nodes are available: %d No preemption '
                          'victims found for incoming pod."' % (pod, 6, 6, 6, 6))])]

    def node(self):
        g = self.g
        return 'gke-prod-pool-%d-%s-%s' % (g.between(1, 3), g.hex(8), ''.join(g.pick('bcdfghjklmnpqrstvwxz') for _ in range(4)))


class ControllerManager(K8sBase):
    kind = 'kube-controller-manager'
    weight = 1.5

    def steady(self, t):
        g = self.g
        r = g.r
        P = self.kpid
        dep, pod = self.a_pod()
        rs = pod.rsplit('-', 1)[0]
        x = r()
        if x < 0.4:
            up = r() < 0.5
            n = g.between(2, 8)
            return [(t, [klog(t, 'I', P, 'event.go:389', '"Event occurred" object="shop/%s" fieldPath="" kind="Deployment" '
                              'apiVersion="apps/v1" type="Normal" reason="ScalingReplicaSet" message="Scaled %s replica set %s '
                              'to %d from %d"' % (dep, 'up' if up else 'down', rs, n + (1 if up else -1), n)),
                         klog(t + 3000, 'I', P, 'event.go:389', '"Event occurred" object="shop/%s" fieldPath="" kind="ReplicaSet" '
                              'apiVersion="apps/v1" type="Normal" reason="%s" message="%s pod: %s"' % (
                                  rs, 'SuccessfulCreate' if up else 'SuccessfulDelete', 'Created' if up else 'Deleted', pod)),
                         klog(t + 9000, 'I', P, 'replica_set.go:676', '"Finished syncing" logger="replicaset-controller" '
                              'kind="ReplicaSet" key="shop/%s" duration="%.6fms"' % (rs, 1 + g.expo(10)))])]
        if x < 0.8:
            return [(t, [klog(t, 'I', P, 'replica_set.go:676', '"Finished syncing" logger="replicaset-controller" kind="ReplicaSet" '
                              'key="shop/%s" duration="%.6fms"' % (rs, 0.05 + g.expo(2)))])]
        if x < 0.93:
            job = '%s-%d' % (g.pick(('cleanup-carts', 'nightly-export', 'reindex')), 28490000 + g.between(0, 9999))
            t2 = t + g.between(5000000, 90000000)
            return [(t, [klog(t, 'I', P, 'event.go:389', '"Event occurred" object="shop/%s" fieldPath="" kind="CronJob" '
                              'apiVersion="batch/v1" type="Normal" reason="SuccessfulCreate" message="Created job %s"' % (
                                  job.rsplit('-', 1)[0], job))]),
                    (t2, [klog(t2, 'I', P, 'event.go:389', '"Event occurred" object="shop/%s" fieldPath="" kind="Job" '
                               'apiVersion="batch/v1" type="Normal" reason="Completed" message="Job completed"' % job),
                          klog(t2 + 2000, 'I', P, 'event.go:389', '"Event occurred" object="shop/%s" fieldPath="" kind="CronJob" '
                               'apiVersion="batch/v1" type="Normal" reason="SawCompletedJob" message="Saw completed job: %s, '
                               'status: Complete"' % (job.rsplit('-', 1)[0], job))])]
        return [(t, [klog(t, 'W', P, 'endpointslice_controller.go:314', '"Error syncing endpoint slices for service, retrying" '
                          'logger="endpointslice-controller" key="shop/%s" err="EndpointSlice informer cache is out of date"' % dep)])]


class CertManager(K8sBase):
    kind = 'cert-manager'
    weight = 0.5

    def steady(self, t):
        g = self.g
        P = 1
        cert = g.pick(('api-tls', 'shop-tls', 'admin-tls', 'grpc-tls'))
        if g.r() < 0.6:
            return [(t, [klog(t, 'I', P, 'controller.go:162', '"re-queuing item due to optimistic locking on resource" '
                              'logger="cert-manager.certificates-trigger" key="shop/%s" error="Operation cannot be fulfilled on '
                              'certificates.cert-manager.io \\"%s\\": the object has been modified; please apply your changes '
                              'to the latest version and try again"' % (cert, cert))])]
        return [(t, [klog(t, 'I', P, 'conditions.go:192', 'Found status change for Certificate "%s" condition "Ready": "False" -> '
                          '"True"; setting lastTransitionTime to %s %s.%09d +0000 UTC m=+%.9f' % (
                              cert, tp(t).ymd, tp(t).hms, (t % US) * 1000, g.r() * 900000))])]


# --------------------------------------------------------------------------- databases

class Postgres(Service):
    kind = 'postgresql'
    restarts = 0.08
    weight = 1.5
    cloud_run = False

    def __init__(self, g, name):
        Service.__init__(self, g, name)
        self.lsn = g.bits(34)
        self.db = g.pick(('shop', 'orders', 'app'))
        self.backends = [g.between(100, 9000) for _ in range(30)]

    def pg(self, t, pid, level, msg):
        sev = {'LOG': 'INFO', 'ERROR': 'ERROR', 'FATAL': 'ERROR', 'WARNING': 'WARNING', 'DETAIL': 'INFO',
               'STATEMENT': 'INFO', 'HINT': 'INFO'}[level]
        return R(t, sev, '%s.%03d UTC [%d] %s:  %s' % (tp(t).pyasc, (t % US) // 1000, pid, level, msg), STDERR)

    def lsn_s(self, v):
        return '%X/%X' % (v >> 32, v & 0xffffffff)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        be = g.pick(self.backends)
        if x < 0.32:
            ip = g.pick(g.pod_ips)
            port = g.between(30000, 60000)
            user = g.pick(('app', 'app', 'app', 'metabase', 'replicator', 'migrations'))
            appn = g.pick(('PostgreSQL JDBC Driver', 'psycopg', 'pgx', '[unknown]', 'asyncpg'))
            pid = g.between(100, 30000)
            if pid not in self.backends:
                self.backends[int(r() * len(self.backends))] = pid
            dur = g.expo(300)
            t2 = t + int(dur * US)
            return [(t, [self.pg(t, pid, 'LOG', 'connection received: host=%s port=%d' % (ip, port)),
                         self.pg(t + 3000, pid, 'LOG', 'connection authenticated: identity="%s" method=scram-sha-256 '
                                 '(/var/lib/postgresql/data/pg_hba.conf:%d)' % (user, 128)),
                         self.pg(t + 3500, pid, 'LOG', 'connection authorized: user=%s database=%s application_name=%s' % (
                             user, self.db, appn))]),
                    (t2, [self.pg(t2, pid, 'LOG', 'disconnection: session time: %d:%02d:%06.3f user=%s database=%s host=%s port=%d' % (
                        int(dur // 3600), int(dur % 3600 // 60), dur % 60, user, self.db, ip, port))])]
        if x < 0.45:
            return self.checkpoint(t)
        if x < 0.6:
            return self.autovacuum(t)
        if x < 0.72:
            email = g.email()
            return [(t, [self.pg(t, be, 'ERROR', 'duplicate key value violates unique constraint "customers_email_key"'),
                         self.pg(t, be, 'DETAIL', 'Key (email)=(%s) already exists.' % email),
                         self.pg(t, be, 'STATEMENT', 'INSERT INTO customers (email, name, created_at) VALUES ($1, $2, $3) RETURNING id')])]
        if x < 0.8:
            ms = 1000 + g.expo(1500)
            return [(t, [self.pg(t, be, 'LOG', 'duration: %.3f ms  execute <unnamed>: SELECT o.id, o.status, o.total FROM orders o '
                                 'WHERE o.customer_id = $1 ORDER BY o.created_at DESC LIMIT 50' % ms),
                         self.pg(t, be, 'DETAIL', "parameters: $1 = '%d'" % g.between(1000, 99999))])]
        if x < 0.86:
            return [(t, [self.pg(t, be, 'ERROR', 'canceling statement due to statement timeout'),
                         self.pg(t, be, 'STATEMENT', 'SELECT count(*) FROM order_events WHERE created_at > now() - interval \'30 days\'')])]
        if x < 0.9:
            return [(t, [self.pg(t, be, 'ERROR', 'could not serialize access due to concurrent update'),
                         self.pg(t, be, 'STATEMENT', 'UPDATE stock SET reserved = reserved + $1 WHERE sku = $2')])]
        if x < 0.94:
            pid = g.between(100, 30000)
            return [(t, [self.pg(t, pid, 'LOG', 'could not receive data from client: Connection reset by peer')])]
        if x < 0.97:
            pid = g.between(100, 30000)
            return [(t, [self.pg(t, pid, 'FATAL', 'password authentication failed for user "%s"' % g.pick(('readonly', 'metabase', 'grafana'))),
                         self.pg(t, pid, 'DETAIL', 'Connection matched file "/var/lib/postgresql/data/pg_hba.conf" line 128: '
                                 '"host all all all scram-sha-256"')])]
        return [(t, [self.pg(t, be, 'LOG', 'temporary file: path "base/pgsql_tmp/pgsql_tmp%d.%d", size %d' % (
            be, g.between(0, 9), g.between(8000000, 400000000))),
                     self.pg(t, be, 'STATEMENT', 'SELECT * FROM order_lines ORDER BY sku, created_at')])]

    def checkpoint(self, t):
        g = self.g
        buf = g.between(20, 9000)
        w = g.r() * 260 + 1
        t2 = t + int(w * US) + 50000
        start = self.lsn
        self.lsn += g.between(100000, 90000000)
        dist = (self.lsn - start) // 1024
        return [(t, [self.pg(t, 27, 'LOG', 'checkpoint starting: time')]),
                (t2, [self.pg(t2, 27, 'LOG', 'checkpoint complete: wrote %d buffers (%.1f%%); 0 WAL file(s) added, 0 removed, %d '
                              'recycled; write=%.3f s, sync=%.3f s, total=%.3f s; sync files=%d, longest=%.3f s, average=%.3f s; '
                              'distance=%d kB, estimate=%d kB; lsn=%s, redo lsn=%s' % (
                                  buf, buf / 163.84, g.between(0, 3), w, g.r() * 0.05, w + 0.06, g.between(3, 90),
                                  g.r() * 0.01, g.r() * 0.002, dist, dist + g.between(0, 9000), self.lsn_s(self.lsn),
                                  self.lsn_s(self.lsn - g.between(40, 4000))))])]

    def autovacuum(self, t):
        g = self.g
        pid = g.between(1000, 60000)
        table = g.pick(('orders', 'order_lines', 'carts', 'sessions', 'stock', 'order_events'))
        remain = g.between(100, 90000)
        scanned = g.between(1, remain)
        removed = g.between(0, 5000)
        if g.r() < 0.5:
            return [(t, [self.pg(t, pid, 'LOG', 'automatic analyze of table "%s.public.%s"' % (self.db, table)),
                         R(t, 'INFO', '\tavg read rate: %.3f MB/s, avg write rate: %.3f MB/s' % (g.r() * 20, g.r() * 2), STDERR),
                         R(t, 'INFO', '\tbuffer usage: %d hits, %d misses, %d dirtied' % (g.between(100, 90000), g.between(0, 900), g.between(0, 100)), STDERR),
                         R(t, 'INFO', '\tsystem usage: CPU: user: %.2f s, system: %.2f s, elapsed: %.2f s' % (g.r() * 0.5, g.r() * 0.05, g.r() * 2), STDERR)])]
        lines = ['\tpages: 0 removed, %d remain, %d scanned (%.2f%% of total)' % (remain, scanned, scanned * 100.0 / remain),
                 '\ttuples: %d removed, %d remain, 0 are dead but not yet removable' % (removed, remain * 40),
                 '\tremovable cutoff: %d, which was %d XIDs old when operation ended' % (g.between(8000000, 9000000), g.between(0, 40)),
                 '\tnew relfrozenxid: %d, which is %d XIDs ahead of previous value' % (g.between(8000000, 9000000), g.between(1, 90000)),
                 '\tindex scan needed: %d pages from table (%.2f%% of total) had %d dead item identifiers removed' % (
                     scanned // 2, scanned * 50.0 / remain, removed),
                 '\tindex "%s_pkey": pages: %d in total, 0 newly deleted, 0 currently deleted, 0 reusable' % (table, g.between(10, 9000)),
                 '\tavg read rate: %.3f MB/s, avg write rate: %.3f MB/s' % (g.r() * 10, g.r() * 4),
                 '\tbuffer usage: %d hits, %d misses, %d dirtied' % (g.between(100, 90000), g.between(0, 900), g.between(0, 900)),
                 '\tWAL usage: %d records, %d full page images, %d bytes' % (g.between(10, 9000), g.between(0, 900), g.between(1000, 9000000)),
                 '\tsystem usage: CPU: user: %.2f s, system: %.2f s, elapsed: %.2f s' % (g.r() * 0.5, g.r() * 0.05, g.r() * 3)]
        return [(t, [self.pg(t, pid, 'LOG', 'automatic vacuum of table "%s.public.%s": index scans: 1' % (self.db, table))] +
                 [R(t, 'INFO', l, STDERR) for l in lines])]

    def start(self, t):
        g = self.g
        p = tp(t - g.between(5, 60) * US)
        return [(t, [self.pg(t, 1, 'LOG', 'starting PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled '
                                         'by gcc (Debian 12.2.0-14) 12.2.0, 64-bit'),
                     self.pg(t + 300, 1, 'LOG', 'listening on IPv4 address "0.0.0.0", port 5432'),
                     self.pg(t + 350, 1, 'LOG', 'listening on IPv6 address "::", port 5432'),
                     self.pg(t + 900, 1, 'LOG', 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"'),
                     self.pg(t + 4000, 26, 'LOG', 'database system was shut down at %s.%03d UTC' % (p.pyasc, g.between(0, 999))),
                     self.pg(t + 9000, 1, 'LOG', 'database system is ready to accept connections')])]

    def stop(self, t):
        return [(t, [self.pg(t, 1, 'LOG', 'received fast shutdown request'),
                     self.pg(t + 800, 1, 'LOG', 'aborting any active transactions'),
                     self.pg(t + 4000, 1, 'LOG', 'background worker "logical replication launcher" (PID 33) exited with exit code 1'),
                     self.pg(t + 5000, 27, 'LOG', 'shutting down'),
                     self.pg(t + 6000, 27, 'LOG', 'checkpoint starting: shutdown immediate'),
                     self.pg(t + 60000, 27, 'LOG', 'checkpoint complete: wrote 3 buffers (0.0%%); 0 WAL file(s) added, 0 removed, '
                             '0 recycled; write=0.004 s, sync=0.002 s, total=0.031 s; sync files=2, longest=0.001 s, '
                             'average=0.001 s; distance=0 kB, estimate=%d kB; lsn=%s, redo lsn=%s' % (
                                 self.g.between(100, 9000), self.lsn_s(self.lsn), self.lsn_s(self.lsn))),
                     self.pg(t + 70000, 1, 'LOG', 'database system is shut down')])] + self.start(t + 4 * US)


class MySQL(Service):
    kind = 'mysql'
    restarts = 0.08
    weight = 0.15
    cloud_run = False

    def my(self, t, thread, prio, code, sub, msg):
        return R(t, {'System': 'NOTICE', 'Warning': 'WARNING', 'Note': 'INFO', 'ERROR': 'ERROR'}[prio],
                 '%s.%06dZ %d [%s] [%s] [%s] %s' % (tp(t).iso, t % US, thread, prio, code, sub, msg), STDERR)

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.7:
            return [(t, [self.my(t, g.between(8, 90000), 'Note', 'MY-010914', 'Server',
                                 "Aborted connection %d to db: 'catalog' user: 'app' host: '%s' (Got %s reading communication "
                                 "packets)." % (g.between(8, 90000), g.pick(g.pod_ips), g.pick(('timeout', 'an error'))))])]
        if x < 0.9:
            return [(t, [self.my(t, g.between(8, 90000), 'Warning', 'MY-010055', 'Server',
                                 "IP address '%s' could not be resolved: Name or service not known" % g.pick(g.pod_ips))])]
        return [(t, [self.my(t, g.between(8, 90000), 'Warning', 'MY-013360', 'Server',
                             "Plugin mysql_native_password reported: ''mysql_native_password' is deprecated and will be "
                             "removed in a future release. Please use caching_sha2_password instead'")])]

    def start(self, t):
        M = self.my
        return [(t, [M(t, 0, 'System', 'MY-010116', 'Server', '/usr/sbin/mysqld (mysqld 8.0.36) starting as process 1'),
                     M(t + 20000, 1, 'System', 'MY-013576', 'InnoDB', 'InnoDB initialization has started.'),
                     M(t + 900000, 1, 'System', 'MY-013577', 'InnoDB', 'InnoDB initialization has ended.'),
                     M(t + 1300000, 0, 'Warning', 'MY-010068', 'Server', 'CA certificate ca.pem is self signed.'),
                     M(t + 1300100, 0, 'System', 'MY-013602', 'Server', 'Channel mysql_main configured to support TLS. '
                                                                      'Encrypted connections are now supported for this channel.'),
                     M(t + 1300300, 0, 'Warning', 'MY-011810', 'Server', "Insecure configuration for --pid-file: Location "
                                                                       "'/var/run/mysqld' in the path is accessible to all OS "
                                                                       "users. Consider choosing a different directory."),
                     M(t + 1400000, 0, 'System', 'MY-011323', 'Server', "X Plugin ready for connections. Bind-address: '::' "
                                                                      "port: 33060, socket: /var/run/mysqld/mysqlx.sock"),
                     M(t + 1400100, 0, 'System', 'MY-010931', 'Server', "/usr/sbin/mysqld: ready for connections. Version: "
                                                                      "'8.0.36'  socket: '/var/run/mysqld/mysqld.sock'  port: "
                                                                      "3306  MySQL Community Server - GPL.")])]


class Redis(Service):
    kind = 'redis'
    restarts = 0.08
    weight = 0.012
    cloud_run = False

    def rd(self, t, pid, role, mark, msg):
        return R(t, 'WARNING' if mark == '#' else 'INFO', '%d:%s %s.%03d %s %s' % (pid, role, tp(t).redis, (t % US) // 1000, mark, msg))

    def steady(self, t):
        g = self.g
        child = g.between(20, 90000)
        n = g.pick((1, 10, 100, 10000))
        secs = {1: 3600, 10: 300, 100: 60, 10000: 60}[n] if g.r() < 0.8 else 300
        mb = g.between(0, 40)
        return [(t, [self.rd(t, 1, 'M', '*', '%d changes in %d seconds. Saving...' % (n, secs)),
                     self.rd(t + 1000, 1, 'M', '*', 'Background saving started by pid %d' % child)]),
                (t + 60000, [self.rd(t + 60000, child, 'C', '*', 'DB saved on disk'),
                             self.rd(t + 61000, child, 'C', '*', 'Fork CoW for RDB: current %d MB, peak %d MB, average %d MB' % (
                                 mb, mb, mb // 2))]),
                (t + 110000, [self.rd(t + 110000, 1, 'M', '*', 'Background saving terminated with success')])]

    def start(self, t):
        g = self.g
        keys = g.between(100, 90000)
        return [(t, [self.rd(t, 1, 'C', '#', 'WARNING Memory overcommit must be enabled! Without it, a background save or '
                                            'replication may fail under low memory condition. Being disabled, it can also '
                                            'cause failures without low memory condition, see '
                                            'https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add '
                                            "'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command "
                                            "'sysctl vm.overcommit_memory=1' for this to take effect."),
                     self.rd(t, 1, 'C', '*', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo'),
                     self.rd(t, 1, 'C', '*', 'Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started'),
                     self.rd(t, 1, 'C', '*', 'Configuration loaded'),
                     self.rd(t + 1000, 1, 'M', '*', 'monotonic clock: POSIX clock_gettime'),
                     self.rd(t + 1500, 1, 'M', '*', 'Running mode=standalone, port=6379.'),
                     self.rd(t + 2000, 1, 'M', '*', 'Server initialized'),
                     self.rd(t + 2100, 1, 'M', '*', 'Loading RDB produced by version 7.2.4'),
                     self.rd(t + 2200, 1, 'M', '*', 'RDB age %d seconds' % g.between(2, 90)),
                     self.rd(t + 2200, 1, 'M', '*', 'RDB memory usage when created %.2f Mb' % (g.r() * 300)),
                     self.rd(t + 90000, 1, 'M', '*', 'Done loading RDB, keys loaded: %d, keys expired: %d.' % (keys, g.between(0, 90))),
                     self.rd(t + 90100, 1, 'M', '*', 'DB loaded from disk: %.3f seconds' % (0.09 + g.r() * 0.1)),
                     self.rd(t + 90200, 1, 'M', '*', 'Ready to accept connections tcp')])]

    def stop(self, t):
        R_ = self.rd
        return [(t, [R_(t, 1, 'M', '#', 'Received SIGTERM scheduling shutdown...'),
                     R_(t + 80000, 1, 'M', '#', 'User requested shutdown...'),
                     R_(t + 80100, 1, 'M', '*', 'Saving the final RDB snapshot before exiting.'),
                     R_(t + 160000, 1, 'M', '*', 'DB saved on disk'),
                     R_(t + 160100, 1, 'M', '#', 'Redis is now ready to exit, bye bye...')])] + self.start(t + 3 * US)


class Mongo(Service):
    kind = 'mongodb'
    restarts = 0.08
    weight = 2.0
    cloud_run = False

    def __init__(self, g, name):
        Service.__init__(self, g, name)
        self.conn = g.between(100, 9000)
        self.count = g.between(5, 40)

    def mg(self, t, s, c, id_, ctx, msg, attr=None):
        head = '{"t":{"$date":"%s.%03d+00:00"},"s":"%s",  ' % (tp(t).iso, (t % US) // 1000, s)
        cf = ('"c":"%s",' % c).ljust(16)
        idf = ('"id":%d,' % id_).ljust(14)
        tail = '"ctx":"%s","msg":%s' % (ctx, json.dumps(msg))
        if attr is not None:
            tail += ',"attr":' + json.dumps(attr, separators=(',', ':'))
        return R(t, {'I': 'INFO', 'W': 'WARNING', 'E': 'ERROR'}[s], head + cf + idf + tail + '}')

    def steady(self, t):
        g = self.g
        r = g.r
        x = r()
        if x < 0.45:
            self.conn += 1
            self.count += 1
            ip = '%s:%d' % (g.pick(g.pod_ips), g.between(30000, 60000))
            cid = self.conn
            dur = g.expo(120)
            t2 = t + int(dur * US)
            uuid = g.uuid()
            b1 = [self.mg(t, 'I', 'NETWORK', 22943, 'listener', 'Connection accepted',
                          {'remote': ip, 'isLoadBalanced': False, 'uuid': {'uuid': {'$uuid': uuid}},
                           'connectionId': cid, 'connectionCount': self.count}),
                  self.mg(t + 800, 'I', 'NETWORK', 51800, 'conn%d' % cid, 'client metadata',
                          {'remote': ip, 'client': 'conn%d' % cid, 'negotiatedCompressors': [],
                           'doc': {'driver': {'name': 'nodejs|Mongoose', 'version': '6.5.0|8.2.1'},
                                   'platform': 'Node.js v20.11.1, LE', 'os': {'name': 'linux', 'architecture': 'x64',
                                                                               'version': '6.1.0-18-cloud-amd64', 'type': 'Linux'}}}),
                  self.mg(t + 9000, 'I', 'ACCESS', 20250, 'conn%d' % cid, 'Authentication succeeded',
                          {'mechanism': 'SCRAM-SHA-256', 'speculative': True, 'principalName': 'notifier',
                           'authenticationDatabase': 'admin', 'remote': ip, 'extraInfo': {}})]
            self.count -= 1
            return [(t, b1), (t2, [self.mg(t2, 'I', 'NETWORK', 22944, 'conn%d' % cid, 'Connection ended',
                                           {'remote': ip, 'isLoadBalanced': False, 'uuid': {'uuid': {'$uuid': uuid}},
                                            'connectionId': cid, 'connectionCount': self.count})])]
        if x < 0.85:
            ts = t // US
            return [(t, [self.mg(t, 'I', 'WTCHKPT', 22430, 'Checkpointer', 'WiredTiger message', {'message': {
                'ts_sec': ts, 'ts_usec': t % US, 'thread': '1:0x7f%010x' % g.bits(40), 'session_name': 'WT_SESSION.checkpoint',
                'category': 'WT_VERB_CHECKPOINT_PROGRESS', 'category_id': 6, 'verbose_level': 'DEBUG_1', 'verbose_level_id': 1,
                'msg': 'saving checkpoint snapshot min: %d, snapshot max: %d snapshot count: 0, oldest timestamp: (0, 0) , '
                       'meta checkpoint timestamp: (0, 0) base write gen: %d' % (g.between(100, 90000), g.between(100, 90000),
                                                                                 g.between(1000, 900000))}})])]
        ms = 100 + int(g.expo(300))
        return [(t, [self.mg(t, 'I', 'COMMAND', 51803, 'conn%d' % g.between(100, self.conn), 'Slow query', {
            'type': 'command', 'ns': 'notifications.deliveries', 'command': {
                'find': 'deliveries', 'filter': {'status': 'pending'}, 'sort': {'createdAt': 1}, 'limit': 100,
                'lsid': {'id': {'$uuid': g.uuid()}}, '$db': 'notifications'},
            'planSummary': 'COLLSCAN', 'keysExamined': 0, 'docsExamined': g.between(1000, 900000), 'cursorExhausted': True,
            'numYields': g.between(0, 90), 'nreturned': g.between(0, 100), 'queryHash': g.hex(8).upper(),
            'planCacheKey': g.hex(8).upper(), 'queryFramework': 'classic', 'reslen': g.between(100, 90000),
            'protocol': 'op_msg', 'durationMillis': ms})])]


# --------------------------------------------------------------------------- test runners (CI job output)

def pytest_sep(title, ch='=', width=80):
    n = max((width - len(title) - 2) // 2, 1)
    line = '%s %s %s' % (ch * n, title, ch * n)
    if len(line) + 1 <= width:
        line += ch
    return line


PY_TEST_FILES = ('tests/api/test_orders.py', 'tests/api/test_errors.py', 'tests/api/test_products.py', 'tests/test_importer.py',
                 'tests/test_worker_shutdown.py', 'tests/test_cache.py', 'tests/test_payments.py', 'tests/test_retry.py',
                 'tests/integration/test_checkout_flow.py', 'tests/test_settings.py')
PY_TEST_NAMES = ('test_create_order', 'test_error_summary_is_empty', 'test_error_rate_is_zero_without_traffic',
                 'test_import_skips_invalid_rows', 'test_worker_exits_cleanly_on_sigterm', 'test_retry_succeeds_after_timeout',
                 'test_unknown_product_returns_404', 'test_validation_error_returns_422', 'test_cache_fallback_on_redis_timeout',
                 'test_failed_payment_is_not_captured', 'test_killed_worker_is_replaced', 'test_lazy_import_of_optional_pdf_backend')
GO_PKGS = ('internal/posting', 'internal/store', 'internal/api', 'internal/fx', 'internal/feed', 'internal/retry',
           'internal/errorsx', 'pkg/money', 'cmd/ledger', 'internal/importer')
GO_TESTS = ('TestPost_Balanced', 'TestPost_RejectsNegativeAmount', 'TestRetry_SucceedsOnSecondAttempt', 'TestErrorsx_Wrap',
            'TestImporter_SkipsBadRows', 'TestServer_GracefulExit', 'TestFeed_RateLimited', 'TestMoney_Round')
GO_SUBTESTS = {'TestPost_Balanced': 'two_legs', 'TestPost_RejectsNegativeAmount': 'negative_amount_is_rejected',
               'TestRetry_SucceedsOnSecondAttempt': 'retries_then_succeeds', 'TestErrorsx_Wrap': 'nil_error',
               'TestImporter_SkipsBadRows': 'empty_input', 'TestServer_GracefulExit': 'exits_with_code_0',
               'TestFeed_RateLimited': 'backs_off_on_429', 'TestMoney_Round': 'half_even'}
JEST_FILES = ('src/cart/cart.test.ts', 'src/api/errors.test.ts', 'src/components/Button.test.tsx', 'src/checkout/payment.test.ts',
              'src/utils/retry.test.ts', 'src/server/shutdown.test.ts', 'src/i18n/format.test.ts', 'src/api/imports.test.ts')


class CIRunner(Service):
    kind = 'test-runner'
    weight = 0.25
    cloud_run = False
    restarts = 0.0

    def steady(self, t):
        x = self.g.r()
        if x < 0.4:
            return self.pytest(t)
        if x < 0.7:
            return self.gotest(t)
        return self.jest(t)

    def _lines(self, t, lines, spread_us):
        n = max(len(lines), 1)
        return [R(t + i * spread_us // n, 'INFO', l) for i, l in enumerate(lines)]

    def pytest(self, t):
        g = self.g
        files = sorted(set(g.pick(PY_TEST_FILES) for _ in range(g.between(4, 9))))
        counts = [g.between(3, 40) for _ in files]
        total = sum(counts)
        skipped = 0
        lines = [pytest_sep('test session starts'),
                 'platform linux -- Python 3.11.8, pytest-8.1.1, pluggy-1.4.0',
                 'rootdir: /builds/shop/%s' % g.pick(('orders', 'catalog', 'importer')),
                 'configfile: pyproject.toml',
                 'plugins: cov-5.0.0, anyio-4.3.0, django-4.8.0, xdist-3.5.0',
                 'collected %d items' % total, '']
        done = 0
        for f, c in zip(files, counts):
            dots = ''
            for _ in range(c):
                if g.r() < 0.03:
                    dots += 's'
                    skipped += 1
                else:
                    dots += '.'
            done += c
            head = '%s %s' % (f, dots)
            pct = '[%3d%%]' % (done * 100 // total)
            lines.append(head + ' ' * max(1, 80 - len(head) - len(pct)) + pct)
        lines.append('')
        warn = g.r() < 0.5
        if warn:
            lines += [pytest_sep('warnings summary'),
                      'tests/test_settings.py::test_lazy_import_of_optional_pdf_backend',
                      "  /builds/shop/app/compat.py:3: DeprecationWarning: 'cgi' is deprecated and slated for removal in Python 3.13",
                      '    import cgi', '',
                      '-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html']
        secs = total * 0.05 + g.r() * 10
        summary = '%d passed' % (total - skipped)
        if skipped:
            summary += ', %d skipped' % skipped
        if warn:
            summary += ', 1 warning'
        lines.append(pytest_sep('%s in %.2fs' % (summary, secs)))
        return [(t, self._lines(t, lines[:7], 900000)), (t + int(secs * US), self._lines(t + int(secs * US), lines[7:], 100000))]

    def gotest(self, t):
        g = self.g
        mod = 'github.com/acme/%s' % g.pick(('ledger', 'quotes', 'dispatcher'))
        lines = []
        if g.r() < 0.5:
            for name in sorted(set(g.pick(GO_TESTS) for _ in range(g.between(2, 6)))):
                lines.append('=== RUN   %s' % name)
                if g.r() < 0.3:
                    lines.append('    %s_test.go:%d: retrying after simulated error: connection reset (attempt 1/3)' % (
                        name.split('_')[0][4:].lower() or 'main', g.between(20, 200)))
                if g.r() < 0.4:
                    sub = '%s/%s' % (name, GO_SUBTESTS.get(name, 'empty_input'))
                    lines.append('=== RUN   %s' % sub)
                    lines.append('--- PASS: %s (%.2fs)' % (name, g.r() * 0.2))
                    lines.append('    --- PASS: %s (0.00s)' % sub)
                else:
                    lines.append('--- PASS: %s (%.2fs)' % (name, g.r() * 0.2))
            lines.append('PASS')
            lines.append('ok  \t%s/%s\t%.3fs' % (mod, g.pick(GO_PKGS[:8]), 0.01 + g.r()))
        else:
            for p in sorted(set(g.pick(GO_PKGS) for _ in range(g.between(4, 9)))):
                if p.startswith('cmd/'):
                    lines.append('?   \t%s/%s\t[no test files]' % (mod, p))
                elif g.r() < 0.3:
                    lines.append('ok  \t%s/%s\t(cached)' % (mod, p))
                elif g.r() < 0.5:
                    lines.append('ok  \t%s/%s\t%.3fs\tcoverage: %.1f%% of statements' % (mod, p, 0.01 + g.r() * 3, 40 + g.r() * 55))
                else:
                    lines.append('ok  \t%s/%s\t%.3fs' % (mod, p, 0.01 + g.r() * 3))
        return [(t, self._lines(t, lines, 4000000))]

    def jest(self, t):
        g = self.g
        files = sorted(set(g.pick(JEST_FILES) for _ in range(g.between(3, 8))))
        lines = []
        tests = 0
        for f in files:
            n = g.between(2, 30)
            tests += n
            lines.append(' PASS  %s%s' % (f, (' (%.3f s)' % (5 + g.r() * 6)) if g.r() < 0.3 else ''))
            if 'Button' in f and g.r() < 0.7:
                lines += ['  \u25cf Console', '',
                          '    console.warn',
                          '      Deprecated prop "size" passed to <Button>; use "variant" instead', '',
                          '        12 |   if (props.size) {',
                          "      > 13 |     console.warn('Deprecated prop \"size\" passed to <Button>; use \"variant\" instead');",
                          '           |             ^',
                          '        14 |   }', '',
                          '      at warn (src/components/Button.tsx:13:13)', '']
        snaps = g.between(0, 20)
        lines += ['', 'Test Suites: %d passed, %d total' % (len(files), len(files)),
                  'Tests:       %d passed, %d total' % (tests, tests),
                  'Snapshots:   %d passed, %d total' % (snaps, snaps),
                  'Time:        %.3f s' % (3 + g.r() * 20),
                  'Ran all test suites.']
        return [(t, self._lines(t, lines, 9000000))]


# ---------------------------------------------------------------------------
# Fleets
# ---------------------------------------------------------------------------

def build_fleet(g):
    deployments = ('storefront', 'catalog-api', 'orders-api', 'checkout', 'notifier', 'quotes', 'dispatcher',
                   'importer', 'orders-worker', 'search-api', 'ledger', 'events-consumer')
    s = [Nginx(g, 'ingress-nginx-controller' if not g.cloud else 'web', ingress=True,
               upstreams=('catalog-api', 'orders-api', 'search-api', 'checkout')),
         Nginx(g, 'web-static' if not g.cloud else 'www'),
         Apache(g, 'legacy-site'),
         Django(g, 'orders-api', 'orders'),
         FastAPI(g, 'catalog-api', 'catalog', under_gunicorn=True),
         FastAPI(g, 'search-api', 'search', under_gunicorn=False),
         Celery(g, 'orders-worker', 'orders'),
         PyWorker(g, 'importer', 'importer'),
         Express(g, 'storefront', 'storefront'),
         Fastify(g, 'checkout'),
         Winston(g, 'notifier'),
         Spring(g, 'ledger', 'com.acme.ledger', 'LedgerApplication'),
         KafkaConsumer(g, 'events-consumer', 'com.acme.events', 'EventsConsumerApplication', 'orders-events', 'events-consumer'),
         GoZap(g, 'quotes', 'github.com/acme/quotes'),
         GoLogrus(g, 'dispatcher')]
    if not g.cloud:
        s += [Kubelet(g, 'kubelet', deployments),
              KubeProxy(g, 'kube-proxy', deployments),
              CoreDNS(g, 'coredns', deployments),
              Scheduler(g, 'kube-scheduler', deployments),
              ControllerManager(g, 'kube-controller-manager', deployments),
              CertManager(g, 'cert-manager', deployments),
              Postgres(g, 'postgres'),
              MySQL(g, 'mysql'),
              Redis(g, 'redis'),
              Mongo(g, 'mongodb'),
              CIRunner(g, 'ci-runner')]
    return s


SELF_RESTARTING = (Apache, Postgres, Redis, Nginx)   # their stop() is a reload or includes the start


# ---------------------------------------------------------------------------
# Engine: a simulated clock, services picked by weight, follow-ups queued
# ---------------------------------------------------------------------------

CLOUD_RUN_REASONS = (
    'AUTOSCALING - Instance started due to configured scaling factors (e.g. CPU utilization, request throughput, etc.) '
    'or no existing capacity for current traffic.',
    'AUTOSCALING - Instance started due to configured scaling factors (e.g. CPU utilization, request throughput, etc.) '
    'or no existing capacity for current traffic.',
    'DEPLOYMENT_ROLLOUT - Instance started due to traffic shifting between revisions due to deployment, traffic split '
    'adjustment, or deployment health check.',
    'MANUAL_OR_CUSTOMER_MIN_INSTANCE - Instance started because of customer-configured min-instances or manual scaling.',
)


def runs(recs):
    """Splits a block into runs of records that share a timestamp: a start-up sequence spread over
    seconds interleaves with other services, a stack trace (one timestamp) stays in one piece."""
    out = []
    cur_t = None
    cur = None
    for rec in recs:
        if rec[0] != cur_t:
            cur_t = rec[0]
            cur = []
            out.append((cur_t, cur))
        cur.append(rec)
    return out


class Engine(object):
    RATE = 60.0            # events per simulated second
    LIFECYCLE = 0.0008     # chance that an event is a restart / new instance

    def __init__(self, g, services):
        self.g = g
        self.s = services
        self.table = weighted(list(range(len(services))), [x.weight for x in services], 8192)
        self.heap = []
        self.seq = 0
        # start between 2025-01-06 and 2025-09-30, any time of day
        self.t = (1736121600 + int(g.r() * 267 * 86400)) * US + g.between(0, US - 1)
        # some services (re)start in the first minute, so that even a small file has start-up lines
        for i, svc in enumerate(services):
            if g.r() < (0.3 if svc.restarts >= 1 else 0.6 * svc.restarts):
                self.lifecycle(i, self.t + int(g.r() * 60 * US), start_only=True)

    def push(self, t, i, block, inst=None):
        if block is None:
            self.seq += 1
            heapq.heappush(self.heap, (t, self.seq, i, block, inst))
            return
        for rt, run in runs(block):
            self.seq += 1
            heapq.heappush(self.heap, (rt, self.seq, i, run, inst))

    def lifecycle(self, i, t, start_only=False):
        g = self.g
        svc = self.s[i]
        if g.cloud:
            inst = svc.new_instance()
            self.push(t, i, [(t, 'INFO', SYSTEM, 'Starting new instance. Reason: %s' % g.pick(CLOUD_RUN_REASONS), None, None,
                              False)], inst)
            last = t
            for bt, recs in svc.start(t + g.between(300000, 1500000)):
                self.push(bt, i, recs, inst)
                last = max(last, max(r[0] for r in recs))
            tp_ = last + g.between(2000, 300000)
            self.push(tp_, i, [(tp_, 'INFO', SYSTEM, 'Default STARTUP TCP probe succeeded after 1 attempt for container "%s-1" '
                                                     'on port 8080.' % svc.name, None, None, True)], inst)
            self.push(tp_, i, None, ('add', inst))
            if not start_only and len(svc.instances) > 1 and g.r() < 0.6:
                old = svc.instances[int(g.r() * len(svc.instances))]
                ts = tp_ + g.between(30, 900) * US
                self.push(ts, i, None, ('remove', old))
                for bt, recs in svc.stop(ts):
                    self.push(bt, i, recs, old)
            return
        if start_only:
            blocks = svc.start(t)
        elif isinstance(svc, SELF_RESTARTING):
            blocks = svc.stop(t)
        else:
            blocks = svc.stop(t)
            gap = g.between(2, 20) * US
            blocks += svc.start(t + gap)
        for bt, recs in blocks:
            self.push(bt, i, recs)

    def events(self):
        g = self.g
        r = g.r
        heap = self.heap
        table = self.table
        services = self.s
        mean = US / self.RATE
        pop = heapq.heappop
        while True:
            self.t += int(-math.log(1.0 - r()) * mean) + 1
            t = self.t
            while heap and heap[0][0] <= t:
                bt, _, i, block, inst = pop(heap)
                if block is None:
                    op, iid = inst
                    insts = services[i].instances
                    if op == 'add':
                        insts.append(iid)
                    elif iid in insts and len(insts) > 1:
                        insts.remove(iid)
                    continue
                yield services[i], block, inst
            i = table[int(r() * 8192)]
            if r() < self.LIFECYCLE and r() < services[i].restarts:
                self.lifecycle(i, t)
                continue
            for bt, recs in services[i].steady(t):
                if not recs:
                    continue
                if len(recs) == 1 or recs[0][0] == recs[-1][0]:
                    if recs[0][0] <= t:
                        yield services[i], recs, None
                    else:
                        self.push(recs[0][0], i, recs)
                    continue
                for rt, run in runs(recs):
                    if rt <= t:
                        yield services[i], run, None
                    else:
                        self.seq += 1
                        heapq.heappush(heap, (rt, self.seq, i, run, None))


# ---------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------

_dumps_compact = json.JSONEncoder(ensure_ascii=False, separators=(',', ':')).encode
_dumps_str = json.JSONEncoder(ensure_ascii=False).encode


def line_of(rec):
    text = rec[3]
    return text if text is not None else _dumps_compact(rec[4])


class TextWriter(object):
    def __init__(self, g):
        self.g = g

    def render(self, svc, recs, inst):
        no_rec = self.g.no_recovery
        out = []
        for rec in recs:
            if rec[2] is REQUESTS or rec[2] is SYSTEM or (no_rec and rec[6]):
                continue
            out.append(line_of(rec))
        if not out:
            return ''
        out.append('')
        return '\n'.join(out)


class NdjsonWriter(object):
    def __init__(self, g):
        self.g = g

    def render(self, svc, recs, inst):
        no_rec = self.g.no_recovery
        out = []
        svc_json = _dumps_str(svc.name)
        for rec in recs:
            if rec[2] is REQUESTS or rec[2] is SYSTEM or (no_rec and rec[6]):
                continue
            out.append('{"time":"%s","severity":"%s","service":%s,"message":%s}\n' % (
                iso_us(rec[0]), rec[1], svc_json, _dumps_str(line_of(rec))))
        return ''.join(out)


class CloudLoggingWriter(object):
    """Google Cloud Logging LogEntry JSON, one per line, as a Cloud Run log sink exports them."""

    def __init__(self, g):
        self.g = g
        self.resources = {}

    def resource(self, svc):
        s = self.resources.get(svc.name)
        if s is None:
            s = self.resources[svc.name] = _dumps_compact({'type': 'cloud_run_revision', 'labels': {
                'configuration_name': svc.name, 'location': svc.region, 'project_id': self.g.project,
                'revision_name': svc.revision, 'service_name': svc.name}})
        return s

    def render(self, svc, recs, inst):
        g = self.g
        no_rec = g.no_recovery
        project = g.project
        res = self.resource(svc)
        out = []
        for rec in recs:
            if no_rec and rec[6]:
                continue
            t, sev, stream, text, obj, http = rec[0], rec[1], rec[2], rec[3], rec[4], rec[5]
            iid = inst or svc.instances[int(g.r() * len(svc.instances))]
            ts = iso_us(t)
            rt = t + 40000 + int(g.r() * 400000)
            recv = '%s.%06d%03dZ' % (tp(rt).iso, rt % US, int(g.r() * 1000))
            insert = '%08x%06x%010x' % (t // US, t % US, g.bits(40))
            labels = '{"instanceId":"%s"%s}' % (iid, (',"container_name":"%s-1"' % svc.name) if stream is SYSTEM else '')
            log_name = 'projects/%s/logs/run.googleapis.com%%2F%s' % (project, stream.replace('/', '%2F'))
            payload_json = ''
            payload_text = ''
            severity = None
            if stream is REQUESTS:
                severity = sev
            elif stream is SYSTEM:
                severity = sev
                payload_text = ',"textPayload":' + _dumps_str(text)
            elif obj is not None:
                if 'severity' in obj:
                    obj = dict(obj)
                    severity = obj.pop('severity')
                payload_json = ',"jsonPayload":' + _dumps_compact(obj)
            else:
                payload_text = ',"textPayload":' + _dumps_str(text)
                if stream is STDERR:
                    severity = 'ERROR'
            if stream is REQUESTS:
                tail = ',"httpRequest":%s,"trace":"projects/%s/traces/%032x","spanId":"%016x","traceSampled":%s' % (
                    _dumps_compact(http), project, g.bits(128), g.bits(64), 'true' if g.r() < 0.05 else 'false')
            else:
                tail = ''
            out.append('{"insertId":"%s"%s,"labels":%s,"logName":"%s","receiveTimestamp":"%s","resource":%s%s%s,'
                       '"timestamp":"%s"%s}\n' % (insert, payload_json, labels, log_name, recv, res,
                                                  (',"severity":"%s"' % severity) if severity else '', payload_text, ts, tail))
        return ''.join(out)


WRITERS = {'text': TextWriter, 'ndjson': NdjsonWriter, 'cloud-logging': CloudLoggingWriter}


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_size(s):
    m = re.match(r'^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?[bB])?\s*$', s)
    if not m:
        raise argparse.ArgumentTypeError('bad size %r (examples: 1048576, 512K, 32M, 1G)' % s)
    n = float(m.group(1)) * (1 << {'': 0, 'k': 10, 'm': 20, 'g': 30, 't': 40}[m.group(2).lower()])
    return int(n)


def generate(seed, size, fmt, out, no_recovery=False):
    """Writes the corpus to the binary stream `out`; returns the number of bytes written."""
    g = Ctx(seed, fmt, no_recovery)
    services = build_fleet(g)
    engine = Engine(g, services)
    writer = WRITERS[fmt](g)
    render = writer.render
    total = 0
    pending = []
    pending_len = 0
    flush_at = 1 << 20
    for svc, recs, inst in engine.events():
        piece = render(svc, recs, inst)
        if not piece:
            continue
        b = piece.encode('utf-8')
        n = len(b)
        if total + n > size:
            break
        pending.append(b)
        pending_len += n
        total += n
        if pending_len >= flush_at:
            out.write(b''.join(pending))
            pending = []
            pending_len = 0
    if pending:
        out.write(b''.join(pending))
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(
        description='Write a deterministic, crash-free log corpus (noise) for faultline tests and benchmarks.')
    ap.add_argument('--seed', type=int, default=0, help='random seed (default 0); same seed and arguments = same bytes')
    ap.add_argument('--bytes', dest='size', type=parse_size, required=True,
                    help='output size, e.g. 1048576, 512K, 32M, 1G (binary units); the file ends at the last whole event '
                         'that fits')
    ap.add_argument('--format', default='text', choices=sorted(WRITERS),
                    help='text: lines as the programs print them; ndjson: {"time","severity","service","message"}; '
                         'cloud-logging: Cloud Run LogEntry JSON lines (default: text)')
    ap.add_argument('--no-recovery-lines', action='store_true',
                    help='leave out the healthy lines that faultline recovery rules match on purpose (2xx Cloud Run '
                         'request logs, "Application startup complete.", Spring "Started ... in", startup probe '
                         'succeeded), for a corpus on which no rule at all matches')
    ap.add_argument('out', help="output file ('-' for standard output)")
    a = ap.parse_args(argv)
    if a.out == '-':
        generate(a.seed, a.size, a.format, sys.stdout.buffer, a.no_recovery_lines)
    else:
        with open(a.out, 'wb') as f:
            generate(a.seed, a.size, a.format, f, a.no_recovery_lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
