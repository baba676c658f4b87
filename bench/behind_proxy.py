"""The WSGI target of the load benchmark: the application as production runs it, behind one
reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto (PROXY_COUNT=1), so that each
simulated visitor has an address of its own for the rate limits. An older commit that has no
PROXY_COUNT setting gets the same werkzeug ProxyFix here (the driver adapts, not the code)."""
from werkzeug.middleware.proxy_fix import ProxyFix

from wsgi import app as application

app = application if "PROXY_COUNT" in application.config else ProxyFix(application, x_for=1, x_proto=1,
                                                                         x_host=1)
