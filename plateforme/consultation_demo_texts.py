"""What the demo consultations say (consultation_demo.py writes it): one territory, the Métropole
de Lyon, told consistently. Each consultation has its own debate, about its own subject and its
issue card; proposals are answered about themselves; the synthesis quotes that consultation's
debate; the official response names the proposals it retains, and each commitment names the
proposal and the card it comes from. Everything is invented; the site says so once, in its
« données de démonstration » banner (setting DEMO_DATA), not after every sentence.

Authors are indexes into the demo's people: 0 is habitant@, then consultation_demo.py RESIDENTS.
"""
from __future__ import annotations

from .debate.models import ProposalStatus, Stance
from .consultations.models import Audience, CommitmentStatus

# Card indexes (cards/demo.py CARDS): 0 students from abroad, 1 foreign-owned firms, 2 world cuisines.
# (title, current stage, card indexes, audience, description)
CONSULTATIONS = (
    ("Quand un groupe étranger ferme un site : que peut faire la métropole ?", "upcoming", (1,),
     Audience.REGISTERED, "Le débat portera sur les fermetures et relocalisations de sites à capitaux étrangers "
                          "et sur leurs effets pour les salariés ; il s'ouvrira à la date indiquée."),
    ("Cuisines du monde et commerce de proximité", "information", (2,), Audience.REGISTERED,
     "Découvrez la fiche enjeu et les constats de l'observatoire avant l'ouverture du débat."),
    ("L'accueil des étudiantes et étudiants étrangers", "debate", (0,), Audience.REGISTERED,
     "Comment mieux accueillir les étudiantes et étudiants venus d'ailleurs ? Donnez votre avis."),
    ("Les entreprises étrangères et l'emploi dans l'est de la métropole", "proposals", (1,),
     Audience.RESIDENTS, "Faites vos propositions pour que l'emploi créé profite au territoire."),
    ("Ce que nous pensons de l'international", "survey", (0, 1, 2), Audience.REGISTERED,
     "Répondez au questionnaire de perception : vos réponses seront comparées à ce qu'en pensent les élus."),
    ("Mobilité internationale des apprentis", "synthesis", (0,), Audience.REGISTERED,
     "Le débat est clos : la modération rédige la synthèse de ce qui a été dit."),
    ("Faut-il mettre les cuisines du monde à l'honneur ?", "response", (2,), Audience.REGISTERED,
     "La synthèse est publiée : la métropole prépare sa réponse officielle."),
    ("Une métropole accueillante pour les talents internationaux", "concluded", (0, 1),
     Audience.REGISTERED, "La consultation est terminée : voici la synthèse, la réponse et le suivi des "
                          "engagements."),
)

# Per stage: (author index, stance, body, parent index or None).
COMMENTS = {
    "debate": (
        (1, Stance.FOR, "Les étudiants étrangers font vivre nos quartiers. Un **accueil dès l'arrivée** changerait "
                        "beaucoup de choses.", None),
        (2, Stance.QUESTION, "Combien d'entre eux trouvent un logement avant la rentrée ?", None),
        (0, Stance.NUANCE, "Je suis favorable, mais le logement manque déjà pour les étudiants d'ici.", None),
        (3, Stance.AGAINST, "Ce n'est pas à la métropole de payer pour les universités.", None),
        (4, Stance.FOR, "Mon fils a étudié à l'étranger : l'accueil là-bas a tout changé pour lui.", None),
        (2, Stance.NUANCE, "Les résidences universitaires pourraient réserver des places à l'arrivée.", 2),
        (1, Stance.QUESTION, "Les universités ne financent-elles pas déjà une partie de l'accueil ?", 3),
        (3, Stance.NUANCE, "Si, en partie ; mais les démarches en préfecture restent longues.", 6),
        (0, Stance.FOR, "Un guichet unique éviterait aux étudiants de courir entre cinq administrations.", 0),
        (4, Stance.AGAINST, "Un guichet de plus, c'est surtout un coût de plus.", 8),
        (2, Stance.FOR, "Des parrainages entre habitants et étudiants existent à Villeurbanne : à étendre ?", None),
        (1, Stance.QUESTION, "Qui paierait ces parrainages : les communes ou la métropole ?", 10),
    ),
    "proposals": (
        (1, Stance.FOR, "Le site ouvert à Saint-Priest a embauché des gens du quartier l'an dernier : c'est "
                        "concret.", None),
        (2, Stance.QUESTION, "Que deviennent ces emplois si le groupe décide depuis l'étranger de fermer le "
                             "site ?", None),
        (0, Stance.NUANCE, "Ces emplois sont bienvenus, mais beaucoup sont de l'intérim de courte durée.", None),
        (3, Stance.AGAINST, "On cède nos terrains économiques à des groupes qui peuvent repartir du jour au "
                            "lendemain.", None),
        (4, Stance.NUANCE, "Les entreprises françaises aussi ferment des sites : formons plutôt les salariés "
                           "d'ici aux métiers recherchés.", 1),
    ),
    "synthesis": (
        (2, Stance.FOR, "Mon apprentie est partie trois semaines à Barcelone : elle est revenue plus autonome.",
         None),
        (4, Stance.QUESTION, "Qui remplace l'apprenti dans une petite entreprise pendant son séjour à "
                             "l'étranger ?", None),
        (0, Stance.NUANCE, "Ces mobilités restent réservées aux centres de formation qui ont quelqu'un pour monter "
                           "les dossiers.", None),
        (1, Stance.AGAINST, "Un apprenti vient apprendre un métier ici ; un mois au loin, c'est un mois de moins "
                            "à l'atelier.", None),
        (3, Stance.NUANCE, "Des séjours de deux semaines gêneraient moins les artisans.", 1),
    ),
    "response": (
        (1, Stance.FOR, "Les restaurants libanais et vietnamiens de la Guillotière font venir du monde de toute "
                        "la métropole.", None),
        (3, Stance.QUESTION, "Mettre ces cuisines à l'honneur, concrètement : des marchés, des visites, une "
                             "campagne d'affichage ?", None),
        (2, Stance.FOR, "Ma grand-mère tenait un restaurant arménien à Décines : ce savoir-faire mérite d'être "
                        "transmis.", None),
        (4, Stance.AGAINST, "La communication de la métropole n'a pas à choisir quels restaurants mettre en "
                            "avant.", None),
        (0, Stance.NUANCE, "Un marché des cuisines du monde une fois par an coûterait peu et profiterait à tous les "
                           "commerçants.", 3),
    ),
    "concluded": (
        (1, Stance.FOR, "Les chercheuses et chercheurs qui arrivent à la Doua passent leurs premières semaines en "
                        "démarches : un **accueil dès l'arrivée** changerait tout.", None),
        (2, Stance.QUESTION, "Combien de personnes arrivent chaque année de l'étranger pour étudier ou travailler "
                             "ici ?", None),
        (0, Stance.NUANCE, "Je suis favorable, mais le logement manque déjà pour les habitants d'ici.", None),
        (3, Stance.AGAINST, "Attirer des talents, c'est le travail des entreprises, pas de la métropole.", None),
        (4, Stance.FOR, "Une ingénieure arrivée du Brésil dans mon immeuble a mis six mois à trouver un bail.",
         None),
        (2, Stance.NUANCE, "Les résidences pourraient garder quelques logements pour les premières semaines.", 2),
        (1, Stance.QUESTION, "Les entreprises qui recrutent à l'étranger ne paient-elles pas déjà une partie de "
                             "l'accueil ?", 3),
        (3, Stance.NUANCE, "Les grandes, oui ; les PME et les laboratoires, rarement.", 6),
        (0, Stance.FOR, "Un guichet unique éviterait de courir entre la préfecture, la CAF et la banque.", 0),
        (4, Stance.AGAINST, "Encore un guichet, ce sont encore des agents à payer chaque année.", 8),
        (2, Stance.FOR, "Des parrainages entre habitants et nouveaux arrivants existent à Villeurbanne : à "
                        "étendre ?", None),
        (1, Stance.QUESTION, "Et ces parrainages, qui les financerait : les communes ou la métropole ?", 10),
    ),
}

# Per stage: (author index, title, body, answer (status, justification) or None).
PROPOSALS = {
    "proposals": (
        (3, "Conditionner les aides à l'emploi local",
         "Toute aide publique à une implantation serait liée à des embauches de personnes du territoire.",
         (ProposalStatus.UNDER_STUDY, "Nous étudions avec les zones d'activité et les syndicats comment lier les "
                                      "aides à l'implantation à des embauches locales : réponse à la fin de la "
                                      "consultation.")),
        (1, "Un forum de l'emploi avec les entreprises de la zone",
         "Chaque année, à Saint-Priest ou à Meyzieu, les entreprises de la zone présenteraient leurs métiers et "
         "leurs offres aux habitantes et habitants de l'est de la métropole.", None),
        (2, "Former aux métiers que recherchent les nouveaux sites",
         "Monter avec les entreprises qui s'installent des formations courtes pour les demandeurs d'emploi du "
         "territoire.", None),
    ),
    "concluded": (
        (1, "Un guichet unique d'accueil à la rentrée",
         "Réunir en septembre, dans un même lieu, la préfecture, la CAF, les universités, les bailleurs et les "
         "banques.",
         (ProposalStatus.ACCEPTED, "Retenue : le guichet unique d'accueil est le premier engagement de la réponse "
                                   "officielle.")),
        (2, "Des parrainages entre habitants et nouveaux arrivants",
         "Mettre en relation des habitantes et habitants volontaires avec des étudiants ou salariés arrivés de "
         "l'étranger.",
         (ProposalStatus.ACCEPTED, "Retenue : un programme de parrainage démarre dans deux communes avant d'être "
                                   "étendu.")),
        (3, "Des logements réservés aux nouveaux arrivants",
         "Garder dans les résidences un contingent de logements pour les premières semaines des personnes "
         "arrivées de l'étranger.",
         (ProposalStatus.ACCEPTED, "Retenue : la métropole demandera aux bailleurs de réserver des logements aux "
                                   "nouveaux arrivants.")),
    ),
}

# The synthesis of each consultation that reached it: its text, and which of its comments and
# proposals it cites (indexes into that consultation's lists).
SYNTHESES = {
    "response": (
        "Les participantes et participants voient dans les cuisines du monde une **richesse des quartiers** et un "
        "savoir-faire à transmettre. Un marché annuel des cuisines du monde rassemble le plus d'avis favorables. "
        "Que la communication de la métropole choisisse des restaurants à mettre en avant divise.",
        (0, 2, 4), ()),
    "concluded": (
        "Les participantes et participants soutiennent largement un **meilleur accueil** des étudiants, "
        "chercheurs et salariés venus de l'étranger, à condition qu'il ne se fasse pas au détriment du logement "
        "des habitants. Le coût d'un guichet unique divise. Les parrainages entre habitants et nouveaux arrivants "
        "ont suscité le plus d'intérêt.",
        (0, 1, 2, 10), (0, 1)),
}

RESPONSE = ("La métropole retient les trois propositions : « Un guichet unique d'accueil à la rentrée », « Des "
            "parrainages entre habitants et nouveaux arrivants » et « Des logements réservés aux nouveaux "
            "arrivants ». Elle y ajoute, pour répondre à la question posée dans le débat sur le nombre "
            "d'arrivées, la publication chaque année des chiffres de l'accueil. Elle rendra compte de "
            "l'avancement de chaque engagement sur cette page.")

# (title, owner, due in days, status, proposal index or None, card index, updates [(days ago, before, after, body)])
COMMITMENTS = (
    ("Ouvrir un guichet unique d'accueil à la rentrée prochaine", "Direction des relations internationales",
     200, CommitmentStatus.PLANNED, 0, 0, ()),
    ("Lancer un programme de parrainage entre habitants et nouveaux arrivants", "Vice-présidence à la vie "
     "associative", 60, CommitmentStatus.IN_PROGRESS, 1, 0,
     ((75, CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS,
       "Appel à associations publié ; trois structures ont répondu."),
      (20, CommitmentStatus.IN_PROGRESS, CommitmentStatus.IN_PROGRESS,
       "Quarante binômes formés à Villeurbanne et à Vénissieux ; extension prévue au printemps."))),
    ("Publier chaque année les chiffres de l'accueil des étudiants étrangers", "Observatoire de la métropole",
     -30, CommitmentStatus.DONE, None, 0,
     ((40, CommitmentStatus.PLANNED, CommitmentStatus.DONE,
       "Les chiffres de l'année sont en ligne dans l'observatoire."),)),
    ("Réserver un contingent de logements à l'arrivée", "Vice-présidence à l'habitat", -10,
     CommitmentStatus.ABANDONED, 2, 0,
     ((15, CommitmentStatus.PLANNED, CommitmentStatus.ABANDONED,
       "Abandonné : les bailleurs n'ont pas pu libérer de logements cette année ; la question sera reprise "
       "dans le plan logement étudiant."),)),
)


def commitment_description(proposal_title: str | None, card_title: str) -> str:
    """Where a commitment comes from: the proposal it answers (if any) and its issue card."""
    origin = f"En réponse à la proposition « {proposal_title} ». " if proposal_title else (
        "En réponse à une question posée dans le débat. ")
    return origin + f"Fiche enjeu : « {card_title} »."
