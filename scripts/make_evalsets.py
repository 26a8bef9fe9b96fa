#!/usr/bin/env python3
"""Write the French evaluation sets of this folder from the hand-written items below.

    python scripts/make_evalsets.py

Standard library only, deterministic. Writes fr_fc.jsonl, fr_mc.jsonl, fr_short.jsonl and
fr_lang.jsonl (heldout_en.txt and heldout_fr.txt are plain hand-written files). Every tool, domain
and sentence here differs from the training pools in scripts/make_mixture.py; the test
tests/training/test_contamination.py checks that no 13-word sequence is shared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1] / "evalsets"  # where the eval tasks read them

# --------------------------------------------------------------------------------------------
# Function calling: tools (French descriptions) and items with BFCL-style possible answers.
# --------------------------------------------------------------------------------------------

JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
JOUR_ISO = {"type": "string", "format": "date"}
HEURE = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}


def texte(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def choix(description: str, *values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": description}


def entier(description: str, minimum: int, maximum: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "integer", "minimum": minimum, "description": description}
    if maximum is not None:
        spec["maximum"] = maximum
    return spec


def booleen(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def jour(description: str) -> dict[str, Any]:
    return {**JOUR_ISO, "description": description}


def outil(nom: str, description: str, required: list[str], /, **props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": nom, "description": description,
        "parameters": {"type": "object", "properties": props, "required": required}}}


OUTILS = {t["function"]["name"]: t for t in [
    outil("reserver_livre", "Met de côté un ouvrage dans le réseau des médiathèques de la ville.", ["titre"],
          titre=texte("Titre de l'ouvrage tel qu'il figure au catalogue"),
          auteur=texte("Nom de l'écrivain, si on le connaît"),
          mediatheque=texte("Médiathèque où l'usager passera prendre l'ouvrage")),
    outil("prolonger_pret", "Allonge la durée d'un emprunt en cours à la médiathèque.", ["code_document"],
          code_document={"type": "string", "pattern": "^[0-9]{8}$",
                         "description": "Code-barres à huit chiffres collé sur le document"},
          semaines=entier("Nombre de semaines supplémentaires, une seule si rien n'est précisé", 1, 3)),
    outil("trouver_pharmacie_garde", "Indique quelle officine assure la garde près d'un code postal.",
          ["code_postal"],
          code_postal={"type": "string", "pattern": "^[0-9]{5}$", "description": "Code postal à cinq chiffres"},
          date=jour("Jour de garde voulu ; à défaut, la date du jour")),
    outil("velos_disponibles", "Compte les vélos en libre-service présents à une borne.", ["station"],
          station=texte("Nom de la borne de location"),
          electrique=booleen("Vrai pour ne compter que les modèles à assistance électrique")),
    outil("reserver_parking", "Retient une place dans un parc de stationnement public.",
          ["ville", "date_arrivee", "duree_heures"],
          ville=texte("Commune du parc de stationnement"),
          date_arrivee=jour("Jour d'entrée dans le parc"),
          heure_arrivee={**HEURE, "description": "Heure d'entrée prévue, notée HH:MM"},
          duree_heures=entier("Durée de stationnement, en heures", 1, 72),
          type_vehicule=choix("Gabarit du véhicule, une voiture si rien n'est dit", "voiture", "moto",
                              "utilitaire")),
    outil("acheter_billet_musee", "Achète des entrées pour un musée à une date précise.",
          ["musee", "date", "adultes"],
          musee=texte("Nom du musée"),
          date=jour("Jour de la visite"),
          adultes=entier("Nombre d'entrées plein tarif", 1, 20),
          enfants=entier("Nombre d'entrées pour les moins de dix-huit ans", 0, 20),
          audioguide=booleen("Ajouter un guide audio à chaque entrée")),
    outil("louer_voiture", "Réserve un véhicule auprès d'une agence de location.", ["ville", "debut", "fin"],
          ville=texte("Ville de l'agence où l'on prend le véhicule"),
          debut=jour("Premier jour de location"),
          fin=jour("Jour où l'on rend le véhicule"),
          categorie=choix("Gamme du véhicule", "economique", "compacte", "familiale", "utilitaire"),
          boite_automatique=booleen("Exiger une transmission automatique")),
    outil("horaires_marees", "Fournit les heures de pleine mer et de basse mer d'un port.", ["port"],
          port=texte("Port ou localité du littoral"),
          date=jour("Jour souhaité ; à défaut, la date du jour")),
    outil("chercher_sentier_randonnee", "Suggère des itinéraires de marche dans une région.", ["region"],
          region=texte("Massif, parc naturel ou région"),
          difficulte=choix("Niveau de difficulté", "facile", "moyenne", "difficile"),
          distance_max_km={"type": "number", "exclusiveMinimum": 0,
                           "description": "Longueur maximale de la boucle, en kilomètres"}),
    outil("etat_pistes_ski", "Décrit l'enneigement et les pistes ouvertes d'un domaine skiable.", ["station"],
          station=texte("Nom de la station de sports d'hiver")),
    outil("jour_collecte_dechets", "Indique le prochain passage de la collecte pour une adresse.",
          ["adresse", "type_dechet"],
          adresse=texte("Numéro et nom de la voie"),
          type_dechet=choix("Catégorie de déchets", "ordures_menageres", "emballages", "verre",
                            "encombrants", "dechets_verts")),
    outil("horaires_piscine", "Affiche les créneaux d'ouverture au public d'un bassin municipal.", ["piscine"],
          piscine=texte("Nom de l'établissement nautique"),
          jour=choix("Jour de la semaine voulu", *JOURS)),
    outil("prendre_rdv_veterinaire", "Fixe une consultation dans une clinique vétérinaire.",
          ["espece", "date", "motif"],
          espece=choix("Espèce de l'animal", "chien", "chat", "lapin", "oiseau", "autre"),
          nom_animal=texte("Petit nom de l'animal"),
          date=jour("Jour de la consultation"),
          motif=texte("Raison de la visite, en quelques mots")),
    outil("effectuer_virement", "Envoie de l'argent depuis le compte courant vers un tiers.",
          ["beneficiaire", "montant"],
          beneficiaire=texte("Personne ou organisme qui reçoit les fonds"),
          montant={"type": "number", "exclusiveMinimum": 0, "description": "Somme en euros"},
          motif=texte("Libellé qui apparaîtra sur le relevé"),
          date_execution=jour("Jour d'exécution ; immédiat si absent")),
    outil("consulter_solde", "Affiche ce qui reste disponible sur un compte de l'usager.", ["compte"],
          compte=choix("Compte visé", "courant", "epargne", "livret_a")),
    outil("consommation_electricite", "Restitue les relevés du compteur électrique du foyer pour un mois.",
          ["mois", "annee"],
          mois=entier("Mois, de 1 à 12", 1, 12),
          annee=entier("Année sur quatre chiffres", 2000, 2100),
          detail_journalier=booleen("Vrai pour obtenir une valeur par jour")),
    outil("resultat_match", "Rapporte l'issue de la dernière rencontre disputée par un club.", ["equipe"],
          equipe=texte("Nom du club"),
          sport=choix("Discipline", "football", "rugby", "basket", "handball", "volley")),
    outil("trouver_code_postal", "Retrouve le code postal d'une commune de France.", ["commune"],
          commune=texte("Nom officiel de la commune"),
          departement=texte("Nom ou numéro du département, pour distinguer deux homonymes")),
    outil("conjuguer_verbe", "Donne la conjugaison d'un verbe de la langue française.", ["verbe", "temps"],
          verbe=texte("Verbe, à l'infinitif"),
          temps=choix("Temps ou mode", "present", "imparfait", "futur", "passe_compose", "conditionnel",
                      "subjonctif"),
          personne=choix("Personne grammaticale ; toutes si absent", "je", "tu", "il", "nous", "vous", "ils")),
    outil("accord_mets_vin", "Conseille une bouteille assortie à un plat.", ["plat"],
          plat=texte("Plat servi"),
          couleur=choix("Couleur du vin", "rouge", "blanc", "rose"),
          budget_max={"type": "number", "exclusiveMinimum": 0, "description": "Prix plafond de la bouteille, en euros"}),
    outil("programmer_arrosage", "Règle le système d'irrigation du jardin.", ["zone", "heure", "duree_minutes"],
          zone=choix("Partie du jardin", "potager", "pelouse", "massifs", "haie"),
          heure={**HEURE, "description": "Heure de déclenchement, notée HH:MM"},
          duree_minutes=entier("Temps d'arrosage, en minutes", 1, 120),
          jours={"type": "array", "items": {"type": "string", "enum": JOURS}, "minItems": 1,
                 "uniqueItems": True, "description": "Jours de la semaine concernés ; chaque jour si absent"}),
    outil("chercher_covoiturage", "Liste les trajets partagés proposés par des conducteurs.",
          ["depart", "arrivee", "date"],
          depart=texte("Localité de départ"),
          arrivee=texte("Localité d'arrivée"),
          date=jour("Jour du trajet"),
          places=entier("Sièges demandés, un seul si rien n'est dit", 1, 8)),
    outil("centre_don_sang", "Localise les prochaines collectes de l'Établissement français du sang.", ["ville"],
          ville=texte("Commune autour de laquelle chercher"),
          type_don=choix("Nature du don", "sang", "plasma", "plaquettes")),
    outil("qualite_eau_baignade", "Publie le dernier contrôle sanitaire d'un site de baignade.", ["plage"],
          plage=texte("Nom de la plage ou du site"),
          commune=texte("Commune du site, pour lever une ambiguïté")),
    outil("programme_tele", "Présente la grille des programmes d'une chaîne de télévision.", ["chaine"],
          chaine=texte("Nom de la chaîne"),
          date=jour("Jour voulu ; à défaut, la date du jour"),
          creneau=choix("Moment de la journée", "matin", "apres_midi", "soiree")),
    outil("signaler_incident_voirie", "Transmet aux services municipaux un problème sur l'espace public.",
          ["categorie", "adresse"],
          categorie=choix("Nature du problème", "nid_de_poule", "eclairage_en_panne", "graffiti",
                          "depot_sauvage", "autre"),
          adresse=texte("Lieu exact du problème"),
          description=texte("Précisions éventuelles")),
    outil("chercher_offre_emploi", "Interroge une base d'annonces de recrutement.", ["metier"],
          metier=texte("Poste ou métier recherché"),
          ville=texte("Lieu de travail souhaité"),
          contrat=choix("Nature du contrat", "CDI", "CDD", "interim", "stage", "alternance"),
          teletravail=booleen("Vrai pour ne garder que les postes ouverts au travail à distance")),
    outil("calculer_frais_kilometriques", "Évalue l'indemnité kilométrique d'après le barème fiscal.",
          ["distance_km", "puissance_fiscale"],
          distance_km={"type": "number", "exclusiveMinimum": 0, "description": "Kilomètres parcourus sur l'année"},
          puissance_fiscale=entier("Chevaux fiscaux du véhicule", 3, 7)),
]}


def call(name: str, **arguments: list[Any]) -> dict[str, Any]:
    """One possible call: each argument maps to its acceptable values ("" = may be left out)."""
    return {"name": name, "arguments": arguments}


FC: list[tuple[str, str, list[str], list[dict[str, Any]]]] = [
    # ---- simple: one tool, one call
    ("simple", "Réserve-moi « Vingt mille lieues sous les mers » à la médiathèque Jules-Verne, s'il te plaît.",
     ["reserver_livre"],
     [call("reserver_livre", titre=["Vingt mille lieues sous les mers"], auteur=["", "Jules Verne"],
           mediatheque=["Jules-Verne", "médiathèque Jules-Verne", "Médiathèque Jules-Verne"])]),
    ("simple", "Quelle est la pharmacie de garde pour le 69003 ?", ["trouver_pharmacie_garde"],
     [call("trouver_pharmacie_garde", code_postal=["69003"], date=[""])]),
    ("simple", "Combien reste-t-il de vélos électriques à la station Gare Saint-Jean ?", ["velos_disponibles"],
     [call("velos_disponibles", station=["Gare Saint-Jean", "gare Saint-Jean"], electrique=[True])]),
    ("simple", "Il me faut une place de parking à Rennes le 14 mai 2025 pour 3 heures.", ["reserver_parking"],
     [call("reserver_parking", ville=["Rennes"], date_arrivee=["2025-05-14"], duree_heures=[3],
           heure_arrivee=[""], type_vehicule=["", "voiture"])]),
    ("simple", "Achète deux billets adultes et un billet enfant pour le musée d'Orsay le 8 mars 2025.",
     ["acheter_billet_musee"],
     [call("acheter_billet_musee", musee=["musée d'Orsay", "Musée d'Orsay", "Orsay"], date=["2025-03-08"],
           adultes=[2], enfants=[1], audioguide=["", False])]),
    ("simple", "Je voudrais louer une voiture familiale à Toulouse du 2 au 9 août 2025.", ["louer_voiture"],
     [call("louer_voiture", ville=["Toulouse"], debut=["2025-08-02"], fin=["2025-08-09"],
           categorie=["familiale"], boite_automatique=["", False])]),
    ("simple", "À quelle heure est la marée haute à Saint-Malo le 21 juin 2025 ?", ["horaires_marees"],
     [call("horaires_marees", port=["Saint-Malo"], date=["2025-06-21"])]),
    ("simple", "Propose-moi une balade facile dans le Vercors, pas plus de 10 km.", ["chercher_sentier_randonnee"],
     [call("chercher_sentier_randonnee", region=["Vercors", "le Vercors"], difficulte=["facile"],
           distance_max_km=[10])]),
    ("simple", "Les pistes sont-elles ouvertes à Val Thorens ?", ["etat_pistes_ski"],
     [call("etat_pistes_ski", station=["Val Thorens", "Val-Thorens"])]),
    ("simple", "Quand passe le camion du verre au 14 rue Pasteur ?", ["jour_collecte_dechets"],
     [call("jour_collecte_dechets", adresse=["14 rue Pasteur"], type_dechet=["verre"])]),
    ("simple", "La piscine Jean-Bouin ouvre à quelle heure le dimanche ?", ["horaires_piscine"],
     [call("horaires_piscine", piscine=["Jean-Bouin", "piscine Jean-Bouin", "Piscine Jean-Bouin"],
           jour=["dimanche"])]),
    ("simple", "Prends rendez-vous chez le véto pour mon chat Filou le 3 avril 2025, c'est pour son vaccin.",
     ["prendre_rdv_veterinaire"],
     [call("prendre_rdv_veterinaire", espece=["chat"], nom_animal=["Filou"], date=["2025-04-03"],
           motif=["vaccin", "son vaccin", "vaccination", "Vaccin"])]),
    ("simple", "Fais un virement de 45 euros à Julien Moreau avec le libellé « Concert ».", ["effectuer_virement"],
     [call("effectuer_virement", beneficiaire=["Julien Moreau"], montant=[45], motif=["Concert"],
           date_execution=[""])]),
    ("simple", "Combien y a-t-il sur mon livret A ?", ["consulter_solde"],
     [call("consulter_solde", compte=["livret_a"])]),
    ("simple", "Montre-moi ma consommation d'électricité de janvier 2025, jour par jour.",
     ["consommation_electricite"],
     [call("consommation_electricite", mois=[1], annee=[2025], detail_journalier=[True])]),
    ("simple", "Quel a été le score du dernier match de rugby du Stade Toulousain ?", ["resultat_match"],
     [call("resultat_match", equipe=["Stade Toulousain", "Stade toulousain"], sport=["rugby"])]),
    ("simple", "Quel est le code postal de Montbéliard ?", ["trouver_code_postal"],
     [call("trouver_code_postal", commune=["Montbéliard"], departement=[""])]),
    ("simple", "Conjugue le verbe « résoudre » au passé composé.", ["conjuguer_verbe"],
     [call("conjuguer_verbe", verbe=["résoudre"], temps=["passe_compose"], personne=[""])]),
    ("simple", "Quel vin rouge servir avec un bœuf bourguignon ?", ["accord_mets_vin"],
     [call("accord_mets_vin", plat=["bœuf bourguignon", "boeuf bourguignon", "un bœuf bourguignon"],
           couleur=["rouge"], budget_max=[""])]),
    ("simple", "Arrose le potager à 6 h 30 pendant 20 minutes le lundi et le jeudi.", ["programmer_arrosage"],
     [call("programmer_arrosage", zone=["potager"], heure=["06:30"], duree_minutes=[20],
           jours=[["lundi", "jeudi"], ["jeudi", "lundi"]])]),
    ("simple", "Trouve-moi un covoiturage de Nancy à Metz le 17 octobre 2025.", ["chercher_covoiturage"],
     [call("chercher_covoiturage", depart=["Nancy"], arrivee=["Metz"], date=["2025-10-17"], places=["", 1])]),
    ("simple", "Où puis-je donner mon plasma à Poitiers ?", ["centre_don_sang"],
     [call("centre_don_sang", ville=["Poitiers"], type_don=["plasma"])]),
    ("simple", "L'eau est-elle bonne pour se baigner à la plage du Prado, à Marseille ?", ["qualite_eau_baignade"],
     [call("qualite_eau_baignade", plage=["plage du Prado", "Plage du Prado", "Prado"], commune=["Marseille", ""])]),
    ("simple", "Qu'est-ce qui passe ce soir sur France 2 ?", ["programme_tele"],
     [call("programme_tele", chaine=["France 2"], date=[""], creneau=["soiree"])]),
    ("simple", "Signale un lampadaire en panne devant le 7 avenue Jean-Jaurès.", ["signaler_incident_voirie"],
     [call("signaler_incident_voirie", categorie=["eclairage_en_panne"],
           adresse=["7 avenue Jean-Jaurès", "devant le 7 avenue Jean-Jaurès"],
           description=["", "lampadaire en panne", "Lampadaire en panne", "un lampadaire en panne"])]),
    # ---- multiple: several tools, one call
    ("multiple", "Peux-tu prolonger de deux semaines mon emprunt numéro 40021873 ?",
     ["reserver_livre", "prolonger_pret", "horaires_piscine"],
     [call("prolonger_pret", code_document=["40021873"], semaines=[2])]),
    ("multiple", "J'ai besoin d'une pharmacie ouverte cette nuit dans le 13008.",
     ["trouver_code_postal", "trouver_pharmacie_garde", "centre_don_sang"],
     [call("trouver_pharmacie_garde", code_postal=["13008"], date=[""])]),
    ("multiple", "Je cherche deux places en covoiturage entre Lyon et Chambéry pour le 5 juillet 2025.",
     ["louer_voiture", "chercher_covoiturage", "reserver_parking"],
     [call("chercher_covoiturage", depart=["Lyon"], arrivee=["Chambéry"], date=["2025-07-05"], places=[2])]),
    ("multiple", "Quel est l'enneigement à La Clusaz en ce moment ?",
     ["horaires_marees", "qualite_eau_baignade", "etat_pistes_ski", "chercher_sentier_randonnee"],
     [call("etat_pistes_ski", station=["La Clusaz"])]),
    ("multiple", "Il me reste combien sur mon compte courant ?", ["effectuer_virement", "consulter_solde"],
     [call("consulter_solde", compte=["courant"])]),
    ("multiple", "Lance l'arrosage de la pelouse à 21 h pour un quart d'heure.",
     ["consommation_electricite", "programmer_arrosage", "signaler_incident_voirie"],
     [call("programmer_arrosage", zone=["pelouse"], heure=["21:00"], duree_minutes=[15], jours=[""])]),
    ("multiple", "Qui a gagné le dernier match de l'Olympique lyonnais ?", ["programme_tele", "resultat_match"],
     [call("resultat_match", equipe=["Olympique lyonnais", "Olympique Lyonnais", "l'Olympique lyonnais", "OL"],
           sport=["", "football"])]),
    ("multiple", "Donne-moi le verbe « acquérir » à l'imparfait, à la première personne du pluriel.",
     ["trouver_code_postal", "conjuguer_verbe", "accord_mets_vin"],
     [call("conjuguer_verbe", verbe=["acquérir"], temps=["imparfait"], personne=["nous"])]),
    ("multiple", "Prends une entrée adulte avec audioguide pour le Louvre le 12 novembre 2025.",
     ["acheter_billet_musee", "reserver_livre", "programme_tele"],
     [call("acheter_billet_musee", musee=["Louvre", "le Louvre", "musée du Louvre", "Musée du Louvre"],
           date=["2025-11-12"], adultes=[1], enfants=["", 0], audioguide=[True])]),
    ("multiple", "Je cherche un CDI de boulanger à Angers.",
     ["chercher_offre_emploi", "calculer_frais_kilometriques", "effectuer_virement"],
     [call("chercher_offre_emploi", metier=["boulanger"], ville=["Angers"], contrat=["CDI"],
           teletravail=["", False])]),
    ("multiple", "Calcule mes frais kilométriques pour 1250 km avec une voiture de 5 CV.",
     ["louer_voiture", "calculer_frais_kilometriques"],
     [call("calculer_frais_kilometriques", distance_km=[1250], puissance_fiscale=[5])]),
    ("multiple", "C'est quel jour, le ramassage des encombrants au 3 allée des Peupliers ?",
     ["horaires_piscine", "velos_disponibles", "jour_collecte_dechets"],
     [call("jour_collecte_dechets", adresse=["3 allée des Peupliers"], type_dechet=["encombrants"])]),
    ("multiple", "Mon lapin ne mange plus : trouve-lui une consultation chez le vétérinaire le 28 janvier 2026.",
     ["centre_don_sang", "prendre_rdv_veterinaire", "trouver_pharmacie_garde"],
     [call("prendre_rdv_veterinaire", espece=["lapin"], nom_animal=[""], date=["2026-01-28"],
           motif=["ne mange plus", "il ne mange plus", "Ne mange plus", "perte d'appétit"])]),
    ("multiple", "Quel vin blanc à moins de 15 euros irait avec des huîtres ?",
     ["conjuguer_verbe", "accord_mets_vin"],
     [call("accord_mets_vin", plat=["huîtres", "des huîtres", "Huîtres"], couleur=["blanc"], budget_max=[15])]),
    ("multiple", "Qu'y a-t-il sur Arte le samedi 6 septembre 2025 au matin ?",
     ["resultat_match", "horaires_marees", "programme_tele"],
     [call("programme_tele", chaine=["Arte"], date=["2025-09-06"], creneau=["matin"])]),
    # ---- parallel: two calls
    ("parallel", "Donne-moi les horaires des marées à Arcachon et à Biarritz pour le 10 août 2025.",
     ["horaires_marees"],
     [call("horaires_marees", port=["Arcachon"], date=["2025-08-10"]),
      call("horaires_marees", port=["Biarritz"], date=["2025-08-10"])]),
    ("parallel", "Affiche le solde de mon compte épargne et celui de mon livret A.",
     ["consulter_solde", "effectuer_virement"],
     [call("consulter_solde", compte=["epargne"]), call("consulter_solde", compte=["livret_a"])]),
    ("parallel", "Combien de vélos y a-t-il aux stations Bellecour et Hôtel de Ville ?",
     ["velos_disponibles", "reserver_parking"],
     [call("velos_disponibles", station=["Bellecour"], electrique=["", False]),
      call("velos_disponibles", station=["Hôtel de Ville", "Hôtel-de-Ville"], electrique=["", False])]),
    ("parallel", "Compare l'état des pistes à Tignes et aux Arcs.", ["etat_pistes_ski", "horaires_marees"],
     [call("etat_pistes_ski", station=["Tignes"]),
      call("etat_pistes_ski", station=["Les Arcs", "les Arcs", "Arcs"])]),
    ("parallel", "Réserve « Le Rouge et le Noir » et prolonge aussi le prêt du document 55120934.",
     ["reserver_livre", "prolonger_pret"],
     [call("reserver_livre", titre=["Le Rouge et le Noir"], auteur=["", "Stendhal"], mediatheque=[""]),
      call("prolonger_pret", code_document=["55120934"], semaines=["", 1])]),
    ("parallel", "Quels sont les codes postaux de Vierzon et de Bourges ?", ["trouver_code_postal"],
     [call("trouver_code_postal", commune=["Vierzon"], departement=[""]),
      call("trouver_code_postal", commune=["Bourges"], departement=[""])]),
    ("parallel", "Vérifie la qualité de l'eau à la plage Benoît de La Baule et donne-moi les marées au Croisic "
                 "le 3 août 2025.",
     ["qualite_eau_baignade", "horaires_marees", "chercher_sentier_randonnee"],
     [call("qualite_eau_baignade", plage=["plage Benoît", "Benoît", "Plage Benoît"], commune=["La Baule", ""]),
      call("horaires_marees", port=["Le Croisic", "Croisic"], date=["2025-08-03"])]),
    ("parallel", "Conjugue « venir » au futur et au conditionnel.", ["conjuguer_verbe"],
     [call("conjuguer_verbe", verbe=["venir"], temps=["futur"], personne=[""]),
      call("conjuguer_verbe", verbe=["venir"], temps=["conditionnel"], personne=[""])]),
    ("parallel", "Qui a gagné le dernier match de handball du PSG, et qu'y a-t-il sur TF1 ce soir ?",
     ["programme_tele", "resultat_match"],
     [call("resultat_match", equipe=["PSG", "Paris Saint-Germain"], sport=["handball"]),
      call("programme_tele", chaine=["TF1"], date=[""], creneau=["soiree"])]),
    ("parallel", "Cherche des stages de graphiste à Lille et des alternances de graphiste à Roubaix.",
     ["chercher_offre_emploi"],
     [call("chercher_offre_emploi", metier=["graphiste"], ville=["Lille"], contrat=["stage"],
           teletravail=["", False]),
      call("chercher_offre_emploi", metier=["graphiste"], ville=["Roubaix"], contrat=["alternance"],
           teletravail=["", False])]),
    # ---- irrelevance: no tool fits, the model must not call one
    ("irrelevance", "Quelle est la hauteur de la tour Eiffel ?", ["velos_disponibles"], []),
    ("irrelevance", "Inscris-moi au cours d'aquagym de mardi soir.", ["horaires_piscine"], []),
    ("irrelevance", "Quel est le taux de change actuel entre l'euro et le dollar ?",
     ["consulter_solde", "effectuer_virement"], []),
    ("irrelevance", "Résume-moi l'intrigue de « Madame Bovary ».", ["reserver_livre", "prolonger_pret"], []),
    ("irrelevance", "Quelle météo fera-t-il demain à Chamonix ?", ["etat_pistes_ski", "horaires_marees"], []),
    ("irrelevance", "Combien de temps vit un chat en moyenne ?", ["prendre_rdv_veterinaire"], []),
    ("irrelevance", "Commande-moi une pizza margherita.", ["programme_tele", "resultat_match"], []),
    ("irrelevance", "Écris-moi un court poème sur l'automne.",
     ["trouver_code_postal", "signaler_incident_voirie"], []),
    ("irrelevance", "Explique-moi comment préparer une pâte brisée.", ["accord_mets_vin"], []),
    ("irrelevance", "Quelle distance sépare la Terre de la Lune ?",
     ["chercher_covoiturage", "louer_voiture", "calculer_frais_kilometriques"], []),
]

# --------------------------------------------------------------------------------------------
# Multiple choice: (category, passage, question, correct answer, three wrong answers).
# The correct answer is moved to index i % 4 so that each index is right 15 times.
# --------------------------------------------------------------------------------------------

PASSAGES = {
    "marche": "Chaque samedi matin, Amélie prend le bus de 8 h 15 pour aller au marché de la place Carnot. "
              "Elle y achète ses légumes chez un producteur venu de la vallée voisine. Comme il pleuvait la "
              "semaine dernière, elle a oublié son panier dans le bus et a dû rentrer les bras chargés de sacs "
              "en papier.",
    "village": "Le village de Saint-Aubin compte à peine quatre cents habitants, mais il possède une petite "
               "bibliothèque ouverte trois après-midi par semaine. Elle est tenue par des bénévoles, dont "
               "Marcel, un ancien instituteur. Cet hiver, ils ont organisé un atelier d'écriture pour les "
               "enfants de l'école.",
    "lac": "Le lac de Ventoux-les-Eaux gèle rarement, car il est alimenté par des sources souterraines dont "
           "l'eau reste autour de douze degrés toute l'année. Les pêcheurs l'apprécient en hiver, lorsque les "
           "truites se rapprochent des sources. En été, en revanche, la plupart des visiteurs trouvent la "
           "baignade trop fraîche.",
    "course": "Pour préparer sa course de dix kilomètres, Karim s'entraîne trois fois par semaine. Le mardi, "
              "il fait du fractionné sur la piste du stade ; le jeudi, il court lentement pendant une heure ; "
              "le dimanche, il part en forêt avec son club. Il s'accorde toujours un jour de repos complet "
              "après la sortie du dimanche.",
    "boulangerie": "La boulangerie de Mme Roux ouvre à 6 h 30 du mardi au dimanche. Le lundi, elle reste "
                   "fermée, sauf pendant les vacances d'été, où l'on trouve du pain tous les jours. Depuis le "
                   "mois dernier, la boulangère propose aussi une baguette aux graines, qui a vite trouvé "
                   "ses habitués.",
    "conseil": "Lors de sa dernière séance, le conseil municipal a voté la création d'une piste cyclable entre "
               "la gare et le lycée. Les travaux commenceront en mars et devraient durer quatre mois. Pendant "
               "cette période, la rue des Acacias sera fermée aux voitures, mais les piétons pourront "
               "toujours l'emprunter.",
    "refuge": "Léa voulait adopter un chien, mais son appartement est petit et elle travaille loin de chez "
              "elle. Après en avoir parlé avec une bénévole du refuge, elle a finalement choisi une chatte de "
              "huit ans, calme et habituée à rester seule. Elle l'a appelée Prune.",
    "dentelle": "Le musée de la Dentelle expose des pièces fabriquées dans la région depuis le XVIIe siècle. "
                "Une salle entière est consacrée aux outils des dentellières, et une démonstration a lieu "
                "chaque mercredi après-midi. L'entrée est gratuite pour les moins de dix-huit ans.",
    "solaire": "Depuis qu'il a posé des panneaux solaires sur le toit de sa grange, Thomas produit en été plus "
               "d'électricité qu'il n'en consomme. Il revend ce surplus au réseau. En hiver, en revanche, la "
               "production baisse fortement et il doit acheter une partie de son courant.",
    "verger": "Au collège Jean-Moulin, les élèves de cinquième ont planté un verger derrière le gymnase : six "
              "pommiers, deux poiriers et un cerisier. Chaque classe s'occupe des arbres pendant un trimestre. "
              "Les premiers fruits ne sont pas attendus avant trois ans.",
}

MC: list[tuple[str, str, str, str, list[str]]] = [
    ("knowledge", "", "Quel est le plus grand océan du monde ?", "L'océan Pacifique",
     ["L'océan Atlantique", "L'océan Indien", "L'océan Arctique"]),
    ("knowledge", "", "Quelle planète est surnommée la planète rouge ?", "Mars", ["Vénus", "Jupiter", "Mercure"]),
    ("knowledge", "", "Combien d'os compte le squelette d'un adulte ?", "206", ["106", "306", "156"]),
    ("knowledge", "", "Quel est le symbole chimique de l'or ?", "Au", ["Or", "Ag", "Fe"]),
    ("knowledge", "", "En quelle année a eu lieu la prise de la Bastille ?", "1789", ["1815", "1848", "1715"]),
    ("knowledge", "", "Quel est le plus haut sommet des Alpes ?", "Le mont Blanc",
     ["Le Cervin", "Le mont Rose", "La Meije"]),
    ("knowledge", "", "Quelle est la langue officielle du Brésil ?", "Le portugais",
     ["L'espagnol", "Le français", "L'anglais"]),
    ("knowledge", "", "Combien de côtés a un hexagone ?", "Six", ["Cinq", "Huit", "Sept"]),
    ("knowledge", "", "Quel organe pompe le sang dans tout le corps ?", "Le cœur",
     ["Le foie", "Les poumons", "L'estomac"]),
    ("knowledge", "", "À quelle température l'eau pure gèle-t-elle au niveau de la mer ?", "0 °C",
     ["10 °C", "-10 °C", "4 °C"]),
    ("knowledge", "", "Quelle est la monnaie du Japon ?", "Le yen", ["Le yuan", "Le won", "La roupie"]),
    ("knowledge", "", "Qui a été le premier homme à marcher sur la Lune ?", "Neil Armstrong",
     ["Youri Gagarine", "Buzz Aldrin", "Thomas Pesquet"]),
    ("knowledge", "", "Quel est le plus grand animal vivant ?", "La baleine bleue",
     ["L'éléphant d'Afrique", "Le requin-baleine", "La girafe"]),
    ("knowledge", "", "Quel astre se trouve au centre du système solaire ?", "Le Soleil",
     ["La Terre", "La Lune", "Jupiter"]),
    ("knowledge", "", "Qui a peint « Guernica » ?", "Pablo Picasso",
     ["Salvador Dalí", "Claude Monet", "Henri Matisse"]),
    ("knowledge", "", "Dans quel pays se trouvent les pyramides de Gizeh ?", "L'Égypte",
     ["Le Mexique", "Le Pérou", "La Grèce"]),
    ("knowledge", "", "Quelle vitamine la peau fabrique-t-elle grâce au soleil ?", "La vitamine D",
     ["La vitamine C", "La vitamine A", "La vitamine B12"]),
    ("knowledge", "", "Quel instrument de musique possède généralement 88 touches ?", "Le piano",
     ["La guitare", "Le violon", "La harpe"]),
    ("knowledge", "", "Combien de temps la Terre met-elle pour faire le tour du Soleil ?", "Environ un an",
     ["Environ un jour", "Environ un mois", "Environ dix ans"]),
    ("knowledge", "", "Combien de joueurs une équipe de football aligne-t-elle sur le terrain ?", "11",
     ["9", "13", "15"]),
    ("grammar", "", "Quel est le pluriel de « journal » ?", "journaux", ["journals", "journauxs", "journales"]),
    ("grammar", "", "Quel est le féminin de « acteur » ?", "actrice", ["acteuse", "acteure", "actresse"]),
    ("grammar", "", "Complétez au présent avec le verbe finir : « Nous ___ nos devoirs avant le dîner. »",
     "finissons", ["finons", "finirons", "finissions"]),
    ("grammar", "", "Complétez : « Les fleurs que j'ai ___ sont sur la table. » (cueillir)", "cueillies",
     ["cueilli", "cueillis", "cueillie"]),
    ("grammar", "", "Complétez : « Il ___ mangé toute la tarte. »", "a", ["à", "as", "ah"]),
    ("grammar", "", "Complétez : « Je ne sais pas ___ il habite. »", "où", ["ou", "hou", "oû"]),
    ("grammar", "", "Quel est le passé composé de « elle va » ?", "elle est allée",
     ["elle a allé", "elle est allé", "elle a allée"]),
    ("grammar", "", "Quel est le futur de « je suis » (verbe être) ?", "je serai", ["je serais", "je sois", "j'étais"]),
    ("grammar", "", "Complétez : « ___ livres as-tu lus cet été ? »", "Quels", ["Quel", "Quelle", "Quelles"]),
    ("grammar", "", "Complétez : « Il ___ lave les mains avant de manger. »", "se", ["ce", "ceux", "ses"]),
    ("grammar", "", "Complétez : « ___ ne me dérange pas du tout. »", "Ça", ["Sa", "Çà", "Sà"]),
    ("grammar", "", "Complétez : « J'ai croisé tes parents et je ___ ai parlé. »", "leur",
     ["leurs", "leurent", "l'eur"]),
    ("grammar", "", "Complétez avec le verbe venir : « Il faut que tu ___ demain. »", "viennes",
     ["viens", "viendras", "venais"]),
    ("grammar", "", "Quel est le pluriel de « œil » ?", "yeux", ["œuils", "œilles", "yeuxs"]),
    ("grammar", "", "Quel est le participe passé du verbe « prendre » ?", "pris", ["prendu", "prit", "prenu"]),
    ("grammar", "", "Lequel de ces mots est un adverbe ?", "rapidement", ["rapide", "rapidité", "rapides"]),
    ("grammar", "", "Complétez à l'imparfait avec le verbe avoir : « Nous ___ un chien quand j'étais petit. »",
     "avions", ["avons", "aurons", "ayons"]),
    ("grammar", "", "Comment s'écrit le nombre 80 en lettres ?", "quatre-vingts",
     ["quatre-vingt", "quatre-vingtz", "quatres-vingts"]),
    ("grammar", "", "Quel est le féminin de l'adjectif « beau » ?", "belle", ["beaue", "bele", "beaulle"]),
    ("grammar", "", "Complétez avec l'adjectif vert : « Elle porte des chaussures ___. »", "vertes",
     ["verts", "verte", "vert"]),
    ("comprehension", "marche", "À quelle heure Amélie prend-elle le bus ?", "À 8 h 15",
     ["À 7 h 45", "À 9 h 15", "À 8 h 50"]),
    ("comprehension", "marche", "Qu'a-t-elle oublié dans le bus ?", "Son panier",
     ["Son parapluie", "Ses sacs en papier", "Son porte-monnaie"]),
    ("comprehension", "village", "Qui tient la bibliothèque de Saint-Aubin ?", "Des bénévoles",
     ["Le maire", "Des employés municipaux", "Les enfants de l'école"]),
    ("comprehension", "village", "Quel était le métier de Marcel ?", "Instituteur",
     ["Boulanger", "Facteur", "Médecin"]),
    ("comprehension", "lac", "Pourquoi le lac gèle-t-il rarement ?",
     "Il est alimenté par des sources à environ douze degrés",
     ["Il est très profond", "Il se trouve en haute altitude", "Une usine réchauffe son eau"]),
    ("comprehension", "lac", "Que pensent la plupart des visiteurs de la baignade en été ?",
     "L'eau est trop fraîche", ["L'eau est trop chaude", "La baignade est interdite", "L'eau est idéale"]),
    ("comprehension", "course", "Combien de fois par semaine Karim s'entraîne-t-il ?", "Trois fois",
     ["Deux fois", "Quatre fois", "Cinq fois"]),
    ("comprehension", "course", "Que fait Karim le jeudi ?", "Il court lentement pendant une heure",
     ["Il fait du fractionné sur la piste", "Il court en forêt avec son club", "Il se repose"]),
    ("comprehension", "boulangerie", "Quel jour la boulangerie est-elle habituellement fermée ?", "Le lundi",
     ["Le mardi", "Le dimanche", "Le samedi"]),
    ("comprehension", "boulangerie", "Quand peut-on acheter du pain chez Mme Roux un lundi ?",
     "Pendant les vacances d'été", ["Le premier lundi du mois", "Jamais", "Avant 6 h 30"]),
    ("comprehension", "conseil", "Combien de temps les travaux devraient-ils durer ?", "Quatre mois",
     ["Deux mois", "Un an", "Six semaines"]),
    ("comprehension", "conseil", "Qui pourra encore passer rue des Acacias pendant les travaux ?", "Les piétons",
     ["Les voitures", "Les bus", "Personne"]),
    ("comprehension", "refuge", "Quel animal Léa a-t-elle adopté ?", "Une chatte",
     ["Un chien", "Un lapin", "Un chiot"]),
    ("comprehension", "refuge", "Pourquoi Léa n'a-t-elle pas pris de chien ?",
     "Son appartement est petit et elle travaille loin",
     ["Elle est allergique aux chiens", "Le refuge n'avait aucun chien", "Elle voyage souvent"]),
    ("comprehension", "dentelle", "Quand a lieu la démonstration au musée ?", "Le mercredi après-midi",
     ["Le samedi matin", "Tous les jours", "Le premier dimanche du mois"]),
    ("comprehension", "dentelle", "Qui entre gratuitement au musée ?", "Les moins de dix-huit ans",
     ["Les plus de soixante ans", "Les habitants de la région", "Tout le monde le mercredi"]),
    ("comprehension", "solaire", "Que fait Thomas de l'électricité produite en trop l'été ?",
     "Il la revend au réseau", ["Il la stocke dans des batteries", "Il la donne à ses voisins",
                                "Il coupe ses panneaux"]),
    ("comprehension", "solaire", "Que se passe-t-il en hiver ?",
     "La production baisse et il achète du courant",
     ["Il produit encore davantage", "Il démonte les panneaux", "Il vend plus d'électricité qu'en été"]),
    ("comprehension", "verger", "Combien de pommiers les élèves ont-ils plantés ?", "Six",
     ["Deux", "Neuf", "Trois"]),
    ("comprehension", "verger", "Quand attend-on les premiers fruits ?", "Pas avant trois ans",
     ["Dès l'été prochain", "Dans six mois", "À la fin du trimestre"]),
]

# --------------------------------------------------------------------------------------------
# Short answers (one to three words) and open prompts.
# --------------------------------------------------------------------------------------------

SHORT: list[tuple[str, list[str]]] = [
    ("Quelle est la capitale de l'Espagne ?", ["Madrid"]),
    ("Quelle est la capitale de l'Italie ?", ["Rome"]),
    ("Quelle est la capitale de l'Allemagne ?", ["Berlin"]),
    ("Quelle est la capitale du Portugal ?", ["Lisbonne"]),
    ("Quelle est la capitale du Japon ?", ["Tokyo", "Tokio"]),
    ("Quelle est la capitale de la Belgique ?", ["Bruxelles"]),
    ("Quelle est la capitale de la Grèce ?", ["Athènes"]),
    ("Quelle est la capitale de l'Égypte ?", ["Le Caire", "Caire"]),
    ("Combien de jours y a-t-il dans une semaine ?", ["7", "sept"]),
    ("Combien de mois compte une année ?", ["12", "douze"]),
    ("Combien de côtés a un triangle ?", ["3", "trois"]),
    ("Combien d'heures y a-t-il dans une journée ?", ["24", "vingt-quatre"]),
    ("Combien de minutes y a-t-il dans une heure ?", ["60", "soixante"]),
    ("Combien de pattes a un chien ?", ["4", "quatre"]),
    ("De quelle couleur est le ciel par beau temps ?", ["bleu"]),
    ("De quelle couleur est la neige ?", ["blanc", "blanche"]),
    ("De quelle couleur est une banane mûre ?", ["jaune"]),
    ("Quelle couleur obtient-on en mélangeant du bleu et du jaune ?", ["vert"]),
    ("De quelle couleur est le charbon ?", ["noir"]),
    ("Quelle couleur obtient-on en mélangeant du rouge et du jaune ?", ["orange", "orangé"]),
    ("Quel est le contraire de « chaud » ?", ["froid"]),
    ("Quel est le contraire de « grand » ?", ["petit"]),
    ("Quel est le contraire de « jour » ?", ["nuit"]),
    ("Quel est le contraire de « rapide » ?", ["lent"]),
    ("Quel est le contraire de « ouvert » ?", ["fermé"]),
    ("Quel est le contraire de « haut » ?", ["bas"]),
    ("Quel est le contraire de « plein » ?", ["vide"]),
    ("Quel est le contraire de « gagner » ?", ["perdre"]),
    ("Combien font 7 + 5 ?", ["12", "douze"]),
    ("Combien font 9 × 3 ?", ["27", "vingt-sept"]),
    ("Combien font 20 − 8 ?", ["12", "douze"]),
    ("Combien font 100 divisé par 4 ?", ["25", "vingt-cinq"]),
    ("Combien font 6 fois 7 ?", ["42", "quarante-deux"]),
    ("Combien font 15 + 27 ?", ["42", "quarante-deux"]),
    ("Combien font 50 − 13 ?", ["37", "trente-sept"]),
    ("Quelle est la moitié de 30 ?", ["15", "quinze"]),
    ("Quel jour vient après mardi ?", ["mercredi"]),
    ("Quel mois vient après avril ?", ["mai"]),
    ("Quelle saison vient après l'hiver ?", ["le printemps", "printemps"]),
    ("Quel animal fait « miaou » ?", ["le chat", "chat", "un chat"]),
]

LANG_PROMPTS: list[str] = [
    "Décris ta saison préférée en quelques phrases.",
    "Explique à un enfant pourquoi il faut se brosser les dents.",
    "Donne-moi deux conseils pour bien organiser un déménagement.",
    "Raconte en deux ou trois phrases une journée à la plage.",
    "Pourquoi est-il agréable de voyager en train ?",
    "Présente brièvement la ville de Lyon.",
    "Quels sont les avantages du vélo pour se déplacer en ville ?",
    "Décris le goût d'une fraise à quelqu'un qui n'en a jamais mangé.",
    "Comment expliquer ce qu'est Internet à une personne âgée ?",
    "Propose une idée de sortie pour un dimanche pluvieux.",
    "Pourquoi les forêts sont-elles importantes pour la planète ?",
    "Explique en quelques phrases comment préparer une soupe de légumes.",
    "Que ferais-tu d'une journée de congé surprise ?",
    "Donne-moi ton avis sur la lecture avant de dormir.",
    "Explique pourquoi il faut protéger les océans.",
    "Décris un marché de village un samedi matin.",
    "Quels conseils donnerais-tu à quelqu'un qui commence la course à pied ?",
    "Explique simplement à quoi sert une banque.",
    "Raconte le début d'une histoire qui se passe dans un château.",
    "Pourquoi faut-il trier ses déchets ?",
    "Comment accueillir un nouveau collègue au travail ?",
    "Décris ton repas idéal.",
    "Quels sont les avantages et les inconvénients du télétravail ?",
    "Explique ce qu'est un arc-en-ciel à un enfant de six ans.",
    "Donne-moi trois idées pour occuper des enfants pendant un long trajet en voiture.",
    "Pourquoi aime-t-on regarder les étoiles ?",
    "Écris un court message pour remercier un voisin qui a arrosé tes plantes.",
    "Comment choisir un bon melon au marché ?",
    "Décris les bienfaits d'une promenade en forêt.",
    "Que conseillerais-tu à quelqu'un qui veut apprendre à jouer d'un instrument ?",
]


def build() -> dict[str, list[dict[str, Any]]]:
    fc = [{"id": f"fr_fc-{i:03d}", "category": cat, "messages": [{"role": "user", "content": text}],
           "tools": [OUTILS[n] for n in tools], "answer": answer}
          for i, (cat, text, tools, answer) in enumerate(FC, 1)]
    mc = []
    for i, (cat, passage, question, right, wrong) in enumerate(MC, 1):
        k = (i - 1) % 4
        choices = wrong[:k] + [right] + wrong[k:]
        mc.append({"id": f"fr_mc-{i:03d}", "category": cat, "passage": PASSAGES.get(passage, ""),
                   "question": question, "choices": choices, "answer": k})
    short = [{"id": f"fr_short-{i:03d}", "question": q, "answers": a} for i, (q, a) in enumerate(SHORT, 1)]
    lang = [{"id": f"fr_lang-{i:03d}", "prompt": p} for i, p in enumerate(LANG_PROMPTS, 1)]
    return {"fr_fc": fc, "fr_mc": mc, "fr_short": short, "fr_lang": lang}


def main() -> None:
    for name, records in build().items():
        with (HERE / f"{name}.jsonl").open("w", encoding="utf-8", newline="\n") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"{name}.jsonl: {len(records)} items")


if __name__ == "__main__":
    main()
