"""Run the CAS peer: ``python -m tests.identity.peers.cas_server.serve PORT`` (env
``CAS_PEER_DB`` names its SQLite file). Migrates, creates the people, serves until killed."""

import os
import sys


def main() -> None:
    port = int(sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.identity.peers.cas_server.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from tests.identity.peers.people import PASSWORD, PEOPLE

    call_command("migrate", verbosity=0)
    for username in PEOPLE:
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username=username, password=PASSWORD)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            sys.stderr.write("cas-peer: " + (format % args) + "\n")

    httpd = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
    httpd.set_app(get_wsgi_application())
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
