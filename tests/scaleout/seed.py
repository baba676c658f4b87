"""The scale-out test's database, prepared in a process of its own (cluster.py runs it with the
cluster's environment, so the test process never builds a production app of its own):

    python -m tests.scaleout.seed RESIDENTS        (prints JSON)

The schema by `flask db upgrade`'s own function, the Métropole de Lyon, a consultation in its
debate phase and RESIDENTS confirmed residents of Villeurbanne. Their password carries a cheap
scrypt hash (as bench/load_world.py does): a sign-in checks it the same way, in less time.
"""
from __future__ import annotations

import json
import sys

PASSWORD = "une phrase de passe solide"
CHEAP_HASH_METHOD = "scrypt:1024:8:1"
DEMO_EPCI, VILLEURBANNE = "200046977", "69266"


def seed(residents: int) -> dict:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from plateforme.accounts.models import User
    from plateforme.consultations.models import PhaseKind
    from plateforme.core.models import utcnow
    from plateforme.extensions import db
    from plateforme.territories.models import TerritoryKind
    from plateforme.territories.services import load_territory
    from tests.consultations.helpers import build_consultation
    from tests.factories import Factories

    upgrade()
    load_territory(DEMO_EPCI)
    db.session.commit()
    make = Factories(db)
    consultation = build_consultation(make, PhaseKind.DEBATE)
    commune = make.territory(VILLEURBANNE, TerritoryKind.COMMUNE)
    cheap = generate_password_hash(PASSWORD, method=CHEAP_HASH_METHOD)
    people = [User(email=f"resident-{i}@scaleout.example", display_name=f"Résidente {i}", password_hash=cheap,
                   commune_id=commune.id, email_confirmed_at=utcnow(), locale="fr") for i in range(residents)]
    db.session.add_all(people)
    db.session.commit()
    return {"consultation": consultation.id, "password": PASSWORD,
            "residents": [{"email": p.email, "name": p.display_name} for p in people]}


def main(argv: list[str]) -> int:
    from plateforme import create_app
    from plateforme.extensions import db

    app = create_app()
    with app.app_context():
        world = seed(int(argv[0]))
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(world))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
