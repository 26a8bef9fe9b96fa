#!/usr/bin/env python3
"""Build the fine-tuning mixture from the hand-written pools in this file.

Writes ``fc_en.jsonl``, ``fc_fr.jsonl``, ``chat_fr.jsonl``, ``replay_en.jsonl``, ``abstain_en.jsonl``,
``abstain_fr.jsonl``, ``abstain_near_en.jsonl`` and ``abstain_near_fr.jsonl`` into ``harness/training/data/``
(the near-miss pools live in ``mixture_nearmiss.py`` beside this script). Standard library only; a fixed seed makes every run byte-identical::

    python scripts/make_mixture.py

Every pool below (tool schemas, request phrasings, argument values, question/answer pairs) was
written for this project. The evaluation sets in ``evalsets/`` use other tools, other domains and
other phrasings; ``harness/training/contamination.py`` and its test check that no 13-word sequence is shared.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import re
from pathlib import Path
from typing import Any, Callable

SEED = 20250301
OUT_DIR = Path(__file__).resolve().parents[1] / "harness" / "training" / "data"  # where the recipe reads them
N_FC = 240  # examples per function-calling file
N_IRRELEVANT = 24  # about 10%
N_PARALLEL_SAME = 18  # two calls of one tool
N_PARALLEL_CROSS = 18  # two calls of two tools; both together about 15%
P_SYSTEM = 0.35
N_ABSTAIN = 120  # per language: chat questions asked with tools offered, none of which fits
# Tools that could answer some chat question themselves (a conversion, a definition, a clock, the
# news): never offered with one, so that answering in text is the only right reply.
ABSTAIN_UNSAFE = ("convert_units", "convert_currency", "calculate_tip", "translate_text", "define_word",
                  "get_local_time", "get_news_headlines", "get_public_holidays", "get_sunrise_sunset")

N_NEAR_PER_TOOL = 4  # per language: near-miss requests per tool (mixture_nearmiss.py)

Pair = tuple[str, Any]  # (text shown in the request, argument value)


def _sibling(name: str) -> Any:
    """A pool module beside this script, loaded by path (the tests load this file by path too)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NEARMISS = _sibling("mixture_nearmiss")

# --------------------------------------------------------------------------------------------
# Argument value pools, per language. Each entry is (surface text, argument value).
# --------------------------------------------------------------------------------------------


def same(items: list[str]) -> list[Pair]:
    """Pools whose argument value is the text itself."""
    return [(x, x) for x in items]


CITIES = {
    "en": same(["Paris", "London", "Berlin", "Madrid", "Rome", "Lisbon", "Vienna", "Dublin",
                "Amsterdam", "Brussels", "Tokyo", "Chicago", "Toronto", "Sydney", "Boston",
                "Seattle", "Montreal", "Geneva", "Lyon", "Marseille", "Nice", "Toulouse",
                "Bordeaux", "Oslo", "Prague", "Edinburgh"]),
    "fr": same(["Paris", "Londres", "Berlin", "Madrid", "Rome", "Lisbonne", "Vienne", "Dublin",
                "Amsterdam", "Bruxelles", "Tokyo", "Montréal", "Genève", "Lyon", "Marseille",
                "Nice", "Toulouse", "Bordeaux", "Lille", "Nantes", "Strasbourg", "Rennes",
                "Grenoble", "Québec", "Dakar", "Casablanca", "Annecy", "Orléans"]),
}
RAIL_CITIES = {
    "en": same(["Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Strasbourg",
                "Toulouse", "Brussels", "Geneva", "London", "Amsterdam", "Milan", "Zurich"]),
    "fr": same(["Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Strasbourg",
                "Toulouse", "Rennes", "Bruxelles", "Genève", "Londres", "Amsterdam", "Avignon",
                "Orléans", "Angers"]),
}
SPOTS = same(["Montmartre", "Châtelet", "Belleville", "Bercy", "Montparnasse", "Pigalle",
              "Odéon", "Ménilmontant", "Passy", "Auteuil", "Saint-Germain-des-Prés"])
ADDRESSES = {
    "en": same(["221 King Street", "18 Elm Road", "5 Harbour Avenue", "40 Station Road",
                "9 Market Square", "77 Park Lane", "13 Mill Lane"]),
    "fr": same(["12 rue des Lilas", "8 avenue Foch", "25 boulevard Voltaire", "3 place Bellecour",
                "40 quai des Chartrons", "17 rue Nationale", "6 impasse des Tilleuls"]),
}
TEMP_UNITS = {
    "en": [("in Celsius", "celsius"), ("in Fahrenheit", "fahrenheit")],
    "fr": [("en degrés Celsius", "celsius"), ("en degrés Fahrenheit", "fahrenheit")],
}
CURRENCIES = {
    "en": [("euros", "EUR"), ("US dollars", "USD"), ("British pounds", "GBP"),
           ("Japanese yen", "JPY"), ("Swiss francs", "CHF"), ("Canadian dollars", "CAD")],
    "fr": [("euros", "EUR"), ("dollars américains", "USD"), ("livres sterling", "GBP"),
           ("yens", "JPY"), ("francs suisses", "CHF"), ("dollars canadiens", "CAD")],
}
UNIT_PAIRS = {  # (from surface, from value, to surface, to value)
    "en": [("kilometers", "km", "miles", "mi"), ("miles", "mi", "kilometers", "km"),
           ("meters", "m", "feet", "ft"), ("feet", "ft", "meters", "m"),
           ("centimeters", "cm", "inches", "in"), ("inches", "in", "centimeters", "cm"),
           ("kilograms", "kg", "pounds", "lb"), ("pounds", "lb", "kilograms", "kg"),
           ("grams", "g", "ounces", "oz"), ("liters", "l", "gallons", "gal"),
           ("degrees Celsius", "celsius", "degrees Fahrenheit", "fahrenheit"),
           ("degrees Fahrenheit", "fahrenheit", "degrees Celsius", "celsius")],
    "fr": [("kilomètres", "km", "miles", "mi"), ("miles", "mi", "kilomètres", "km"),
           ("mètres", "m", "pieds", "ft"), ("pieds", "ft", "mètres", "m"),
           ("centimètres", "cm", "pouces", "in"), ("pouces", "in", "centimètres", "cm"),
           ("kilogrammes", "kg", "livres", "lb"), ("livres", "lb", "kilogrammes", "kg"),
           ("grammes", "g", "onces", "oz"), ("litres", "l", "gallons", "gal"),
           ("degrés Celsius", "celsius", "degrés Fahrenheit", "fahrenheit"),
           ("degrés Fahrenheit", "fahrenheit", "degrés Celsius", "celsius")],
}
EVENT_TITLES = {
    "en": same(["Team meeting", "Dentist appointment", "Lunch with Sarah", "Project review",
                "Yoga class", "Call with the bank", "Piano lesson", "Budget planning"]),
    "fr": same(["Réunion d'équipe", "Rendez-vous chez le dentiste", "Déjeuner avec Claire",
                "Point projet", "Cours de yoga", "Appel avec la banque", "Cours de piano",
                "Préparation du budget"]),
}
VENUES = {
    "en": same(["Room 204", "Café Central", "Building B", "Studio 5", "Meeting Room A"]),
    "fr": same(["salle 204", "Café de la Gare", "bâtiment B", "studio 5", "salle de réunion A"]),
}
CALENDARS = {
    "en": [("work", "work"), ("personal", "personal")],
    "fr": [("professionnel", "work"), ("personnel", "personal")],
}
EMAILS = {
    "en": same(["anna.smith@example.com", "j.miller@example.org", "team@example.com",
                "mark.lee@example.net", "sofia.garcia@example.com", "support@example.org"]),
    "fr": same(["marie.dupont@example.fr", "paul.martin@example.com", "equipe@example.fr",
                "chloe.bernard@example.org", "lucas.petit@example.fr", "contact@example.com"]),
}
EMAIL_CONTENT = {  # (subject, body): sampled together
    "en": [("Meeting moved", "The meeting is moved to Thursday at 10."),
           ("Lunch on Friday", "Are you free for lunch on Friday?"),
           ("Quick question", "Could you send me the latest sales figures?"),
           ("Thank you", "Thanks again for your help with the move."),
           ("Running late", "I will be about fifteen minutes late this morning."),
           ("Report draft", "The first draft of the report is ready for review.")],
    "fr": [("Réunion déplacée", "La réunion est déplacée à jeudi 10 h."),
           ("Déjeuner vendredi", "Es-tu libre pour déjeuner vendredi ?"),
           ("Petite question", "Pourrais-tu m'envoyer les derniers chiffres des ventes ?"),
           ("Merci", "Merci encore pour ton aide pendant le déménagement."),
           ("Retard", "J'aurai environ quinze minutes de retard ce matin."),
           ("Projet de rapport", "La première version du rapport est prête à être relue."),
           ("Pique-nique", "Ça te dirait un pique-nique samedi midi ?")],
}
INGREDIENTS = {  # English word; French (bare, partitive)
    "en": ["chicken", "lemon", "rice", "mushrooms", "spinach", "tomatoes", "chickpeas", "salmon",
           "potatoes", "eggs", "zucchini", "lentils", "carrots", "cheese"],
    "fr": [("poulet", "du poulet"), ("citron", "du citron"), ("riz", "du riz"),
           ("champignons", "des champignons"), ("épinards", "des épinards"),
           ("tomates", "des tomates"), ("pois chiches", "des pois chiches"),
           ("saumon", "du saumon"), ("pommes de terre", "des pommes de terre"),
           ("œufs", "des œufs"), ("courgettes", "des courgettes"), ("lentilles", "des lentilles"),
           ("carottes", "des carottes"), ("fromage", "du fromage")],
}
DIETS = {
    "en": [("vegetarian", "vegetarian"), ("vegan", "vegan"), ("gluten-free", "gluten_free")],
    "fr": [("végétarien", "vegetarian"), ("végan", "vegan"), ("sans gluten", "gluten_free")],
}
TRAVEL_CLASSES = {
    "en": [("first-class", "first"), ("second-class", "second")],
    "fr": [("en première classe", "first"), ("en seconde classe", "second")],
}
LANGUAGES = {
    "en": [("French", "fr"), ("Spanish", "es"), ("German", "de"), ("Italian", "it"),
           ("Portuguese", "pt"), ("Dutch", "nl")],
    "fr": [("anglais", "en"), ("espagnol", "es"), ("allemand", "de"), ("italien", "it"),
           ("portugais", "pt"), ("néerlandais", "nl")],
}
SOURCE_LANGUAGE = {"en": ("English", "en"), "fr": ("français", "fr")}
PHRASES = {
    "en": same(["Good morning, how are you?", "Where is the train station?",
                "Thank you very much for your help.", "The meeting has been postponed.",
                "I would like a glass of water, please.", "What time does the shop close?",
                "Happy birthday!", "I am learning to cook."]),
    "fr": same(["Bonjour, comment allez-vous ?", "Où se trouve la gare ?",
                "Merci beaucoup pour votre aide.", "La réunion a été reportée.",
                "Je voudrais un verre d'eau, s'il vous plaît.", "À quelle heure ferme le magasin ?",
                "Joyeux anniversaire !", "J'apprends à cuisiner."]),
}
TICKERS = same(["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "IBM", "ORCL", "NFLX", "INTC"])
TASKS = {
    "en": same(["call the plumber", "water the plants", "buy milk", "renew my passport",
                "pick up the dry cleaning", "pay the rent", "book a haircut", "call my sister"]),
    "fr": same(["appeler le plombier", "arroser les plantes", "acheter du lait",
                "renouveler mon passeport", "récupérer le colis", "payer le loyer",
                "prendre rendez-vous chez le coiffeur", "rappeler ma sœur"]),
}
TRAVEL_MODES = {
    "en": [("by car", "driving"), ("on foot", "walking"), ("by bike", "cycling"),
           ("by public transport", "transit")],
    "fr": [("en voiture", "driving"), ("à pied", "walking"), ("à vélo", "cycling"),
           ("en transports en commun", "transit")],
}
PLACES = {
    "en": [("a café", "cafe"), ("a gas station", "gas_station"), ("a supermarket", "supermarket"),
           ("an ATM", "atm"), ("a bakery", "bakery"), ("a hotel", "hotel")],
    "fr": [("un café", "cafe"), ("une station-service", "gas_station"),
           ("un supermarché", "supermarket"), ("un distributeur de billets", "atm"),
           ("une boulangerie", "bakery"), ("un hôtel", "hotel")],
}
ARTISTS = {
    "en": same(["Daft Punk", "Miles Davis", "Beethoven", "Norah Jones", "Stromae", "Nina Simone",
                "Ella Fitzgerald", "Mozart"]),
    "fr": same(["Daft Punk", "Miles Davis", "Beethoven", "Édith Piaf", "Stromae", "Nina Simone",
                "Angèle", "Jacques Brel", "Mozart"]),
}
TIMER_LABELS = {
    "en": same(["pasta", "tea", "laundry", "oven", "break"]),
    "fr": same(["pâtes", "thé", "lessive", "four", "pause"]),
}
ALARM_LABELS = {
    "en": same(["Gym", "Morning run", "School run", "Meeting prep"]),
    "fr": same(["Sport", "Footing", "École", "Préparer la réunion"]),
}
NEWS_TOPICS = {
    "en": same(["world", "business", "technology", "sports", "science", "health"]),
    "fr": [("internationales", "world"), ("économiques", "business"),
           ("technologiques", "technology"), ("sportives", "sports"),
           ("scientifiques", "science"), ("sur la santé", "health")],
}
GENRES = {
    "en": [("action", "action"), ("comedy", "comedy"), ("drama", "drama"),
           ("animated", "animation"), ("documentary", "documentary"), ("horror", "horror")],
    "fr": [("films d'action", "action"), ("comédies", "comedy"), ("drames", "drama"),
           ("films d'animation", "animation"), ("documentaires", "documentary"),
           ("films d'horreur", "horror")],
}
WORDS = {
    "en": same(["serendipity", "ephemeral", "ubiquitous", "meticulous", "candid", "resilient",
                "frugal"]),
    "fr": same(["éphémère", "désuet", "flâner", "pérenne", "sérendipité", "fastidieux",
                "bienveillant"]),
}
TODOS = {
    "en": same(["clean the garage", "update my CV", "call grandma", "sort the photos",
                "plan the birthday party", "fix the shelf"]),
    "fr": same(["ranger le garage", "mettre à jour mon CV", "appeler mamie", "trier les photos",
                "organiser l'anniversaire", "réparer l'étagère"]),
}
PRIORITIES = {
    "en": [("high priority", "high"), ("medium priority", "medium"), ("low priority", "low")],
    "fr": [("priorité haute", "high"), ("priorité moyenne", "medium"), ("priorité basse", "low")],
}
PHONES = {
    "en": same(["+1 415 555 0134", "+44 20 7946 0321", "555-0187", "+1 212 555 0199"]),
    "fr": same(["06 12 34 56 78", "07 98 76 54 32", "+33 6 45 23 18 90", "06 55 41 20 03"]),
}
SMS = {
    "en": same(["I'm on my way.", "Dinner is at eight.", "Can you call me back?",
                "Happy birthday!", "The keys are under the mat."]),
    "fr": same(["J'arrive dans dix minutes.", "Le dîner est à 20 h.", "Tu peux me rappeler ?",
                "Bon anniversaire !", "Les clés sont sous le paillasson."]),
}
TRACKING = same(["LX482913305FR", "JD014778223145", "CN204588731", "8H00217563490",
                 "RB119034566DE", "AB903318724"])
CUISINES = {
    "en": same(["Italian", "Japanese", "Indian", "Lebanese", "Mexican", "Thai"]),
    "fr": same(["italien", "japonais", "indien", "libanais", "mexicain", "thaï"]),
}
PRICE_RANGES = {
    "en": [("cheap", "cheap"), ("mid-range", "moderate"), ("upscale", "expensive")],
    "fr": [("pas cher", "cheap"), ("de gamme moyenne", "moderate"), ("haut de gamme", "expensive")],
}
ROOMS = {  # French surface carries its article ("du salon")
    "en": [("living room", "living_room"), ("kitchen", "kitchen"), ("bedroom", "bedroom"),
           ("office", "office"), ("bathroom", "bathroom")],
    "fr": [("du salon", "living_room"), ("de la cuisine", "kitchen"),
           ("de la chambre", "bedroom"), ("du bureau", "office"),
           ("de la salle de bain", "bathroom")],
}
COUNTRIES = {  # French surface carries its preposition ("au Japon")
    "en": [(f"in {c}", c) for c in ["France", "Germany", "Spain", "Italy", "Canada", "Japan",
                                    "Belgium", "Switzerland", "Portugal"]],
    "fr": [("en France", "France"), ("en Allemagne", "Allemagne"), ("en Espagne", "Espagne"),
           ("en Italie", "Italie"), ("au Canada", "Canada"), ("au Japon", "Japon"),
           ("en Belgique", "Belgique"), ("en Suisse", "Suisse"), ("au Portugal", "Portugal")],
}
FLIGHTS = same(["AF1234", "BA305", "LH2231", "KL1008", "IB3170", "U24812", "AF7712"])

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}


def de(word: str) -> str:
    """French preposition "de" with elision before a vowel."""
    return ("d'" if word[0].lower() in "aeiouyéèêàâîôûœ" else "de ") + word


def number_text(x: float, lang: str) -> str:
    """12.5 -> "12.50" (en) or "12,50" (fr); integers stay bare."""
    if float(x).is_integer():
        return str(int(x))
    text = f"{x:.2f}"
    return text.replace(".", ",") if lang == "fr" else text


# --------------------------------------------------------------------------------------------
# Slot kinds: a placeholder {arg:kind} in a phrasing draws a (surface, value) pair of that kind.
# --------------------------------------------------------------------------------------------


class Ctx:
    """Sampling state of one example: the random source, the language, values already used."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng, self.lang = rng, lang
        self.used: dict[str, set[str]] = {}
        self.cache: dict[str, Any] = {}

    def pick(self, group: str, items: list[Any], key: Callable[[Any], Any] = lambda p: p[1]) -> Any:
        """Draw an item whose value was not drawn before in this example for ``group``."""
        used = self.used.setdefault(group, set())
        free = [i for i in items if json.dumps(key(i)) not in used] or list(items)
        item = self.rng.choice(free)
        used.add(json.dumps(key(item)))
        return item

    def index(self, group: str, n: int) -> int:
        """One index per example for pools sampled together (subject and body of one e-mail)."""
        if group not in self.cache:
            self.cache[group] = self.rng.randrange(n)
        return self.cache[group]


def k_date(c: Ctx) -> Pair:
    day = dt.date(2025, 1, 6) + dt.timedelta(days=c.rng.randrange(700))
    c.cache["date"] = day
    return date_surface(day, c), day.isoformat()


def k_date2(c: Ctx) -> Pair:
    day = c.cache["date"] + dt.timedelta(days=c.rng.randint(2, 12))
    return date_surface(day, c), day.isoformat()


def date_surface(day: dt.date, c: Ctx) -> str:
    month = MONTHS[c.lang][day.month - 1]
    if c.lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return c.rng.choice([f"{month} {day.day}, {day.year}", f"{day.day} {month} {day.year}"])


def k_time(c: Ctx) -> Pair:
    h, m = c.rng.randint(7, 21), c.rng.choice([0, 0, 15, 30, 45])
    value = f"{h:02d}:{m:02d}"
    if c.lang == "fr":
        surface = c.rng.choice([f"{h} h" + (f" {m:02d}" if m else ""), f"{h}h{m:02d}"])
    elif c.rng.random() < 0.3:
        surface = value
    else:
        h12 = h - 12 if h > 12 else h
        surface = f"{h12}" + (f":{m:02d}" if m else "") + (" pm" if h >= 12 else " am")
    return surface, value


def k_money(c: Ctx) -> Pair:
    x = c.rng.choice([20, 45, 80, 100, 150, 250, 500, 1200, 12.5, 99.9, 37.25])
    return number_text(x, c.lang), x


def k_bill(c: Ctx) -> Pair:
    x = c.rng.choice([48.2, 36.5, 120, 75, 64.8, 210, 27.4])
    return number_text(x, c.lang), x


def k_quantity(c: Ctx) -> Pair:
    x = c.rng.choice([3, 5, 10, 12, 25, 42, 100, 2.5, 7.5])
    return (str(x).replace(".", ",") if c.lang == "fr" else str(x)), x


def ints(*values: int) -> Callable[[Ctx], Pair]:
    return lambda c: (lambda v: (str(v), v))(c.rng.choice(values))


def pool(group: str, table: dict[str, list[Pair]] | list[Pair]) -> Callable[[Ctx], Pair]:
    def draw(c: Ctx) -> Pair:
        items = table[c.lang] if isinstance(table, dict) else table
        return c.pick(group, items)
    return draw


def with_de(group: str, table: dict[str, list[Pair]] | list[Pair]) -> Callable[[Ctx], Pair]:
    draw = pool(group, table)
    return lambda c: (lambda p: (de(p[0]), p[1]))(draw(c))


def k_unit_from(c: Ctx) -> Pair:
    f_s, f_v, _, _ = UNIT_PAIRS[c.lang][c.index("units", len(UNIT_PAIRS[c.lang]))]
    return f_s, f_v


def k_unit_to(c: Ctx) -> Pair:
    _, _, t_s, t_v = UNIT_PAIRS[c.lang][c.index("units", len(UNIT_PAIRS[c.lang]))]
    return t_s, t_v


def k_subject(c: Ctx) -> Pair:
    s = EMAIL_CONTENT[c.lang][c.index("email", len(EMAIL_CONTENT[c.lang]))][0]
    return s, s


def k_body(c: Ctx) -> Pair:
    b = EMAIL_CONTENT[c.lang][c.index("email", len(EMAIL_CONTENT[c.lang]))][1]
    return b, b


def ingredients(form: str) -> Callable[[Ctx], Pair]:
    """Two distinct ingredients; French forms: bare, partitive ("du riz"), or with "de"."""
    def draw(c: Ctx) -> Pair:
        items = INGREDIENTS[c.lang]
        a, b = c.rng.sample(items, 2)
        if c.lang == "en":
            return f"{a} and {b}", [a, b]
        if form == "part":
            return f"{a[1]} et {b[1]}", [a[0], b[0]]
        return f"{de(a[0])} et {de(b[0])}", [a[0], b[0]]
    return draw


def k_source(c: Ctx) -> Pair:
    return SOURCE_LANGUAGE[c.lang]


KINDS: dict[str, Callable[[Ctx], Pair]] = {
    "city": pool("city", CITIES), "city_de": with_de("city", CITIES),
    "rail": pool("city", RAIL_CITIES), "rail_de": with_de("city", RAIL_CITIES),
    "spot": pool("spot", SPOTS), "spot_de": with_de("spot", SPOTS),
    "address": pool("address", ADDRESSES), "temp_unit": pool("temp_unit", TEMP_UNITS),
    "date": k_date, "date2": k_date2, "time": k_time, "money": k_money, "bill": k_bill,
    "quantity": k_quantity, "currency": pool("currency", CURRENCIES),
    "unit_from": k_unit_from, "unit_to": k_unit_to,
    "days": ints(2, 3, 4, 5, 7), "duration": ints(30, 45, 60, 90, 120),
    "minutes": ints(15, 20, 30, 45), "timer_min": ints(3, 5, 8, 10, 12, 20, 25),
    "people": ints(2, 3, 4, 5), "percent": ints(10, 12, 15, 18, 20), "radius": ints(2, 3, 5, 10),
    "brightness": ints(20, 30, 40, 50, 60, 70, 80), "count": ints(3, 5, 10),
    "year": ints(2025, 2026, 2027), "hotel_price": ints(80, 100, 120, 150, 200),
    "event_title": pool("title", EVENT_TITLES), "venue": pool("venue", VENUES),
    "calendar": pool("calendar", CALENDARS), "email": pool("email", EMAILS),
    "subject": k_subject, "body": k_body,
    "ingredients": ingredients("part"), "ingredients_de": ingredients("de"),
    "diet": pool("diet", DIETS), "travel_class": pool("class", TRAVEL_CLASSES),
    "language": pool("language", LANGUAGES), "source": k_source, "phrase": pool("phrase", PHRASES),
    "ticker": pool("ticker", TICKERS), "task": pool("task", TASKS), "task_de": with_de("task", TASKS),
    "mode": pool("mode", TRAVEL_MODES), "place": pool("place", PLACES),
    "artist": pool("artist", ARTISTS), "artist_de": with_de("artist", ARTISTS),
    "timer_label": pool("label", TIMER_LABELS), "alarm_label": pool("label", ALARM_LABELS),
    "news_topic": pool("topic", NEWS_TOPICS), "genre": pool("genre", GENRES),
    "word": pool("word", WORDS), "todo": pool("todo", TODOS), "priority": pool("prio", PRIORITIES),
    "phone": pool("phone", PHONES), "sms": pool("sms", SMS), "tracking": pool("tracking", TRACKING),
    "cuisine": pool("cuisine", CUISINES), "price_range": pool("price", PRICE_RANGES),
    "room": pool("room", ROOMS), "country": pool("country", COUNTRIES),
    "flight": pool("flight", FLIGHTS),
}

# --------------------------------------------------------------------------------------------
# Tools: schema (English and French descriptions) and request phrasings per language.
# A phrasing is a string or (string, constant arguments). {name:kind} fills argument ``name``;
# in "par" phrasings, name__1 / name__2 go to the first / second call, other names to both.
# --------------------------------------------------------------------------------------------

S = {"type": "string"}
DATE = {"type": "string", "format": "date"}
TIME = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
CUR = {"type": "string", "pattern": "^[A-Z]{3}$"}
UNITS = ["km", "mi", "m", "ft", "cm", "in", "kg", "lb", "g", "oz", "l", "gal", "celsius",
         "fahrenheit"]
LANG_CODES = ["en", "fr", "es", "de", "it", "pt", "nl"]


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def integer(lo: int, hi: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "integer", "minimum": lo}
    if hi is not None:
        spec["maximum"] = hi
    return spec


TOOLS: dict[str, dict[str, Any]] = {
    "get_current_weather": {
        "desc": ("Get the current weather conditions for a city.",
                 "Donne la météo actuelle d'une ville."),
        "params": {"city": (S, "City name, for example Paris.", "Nom de la ville, par exemple Paris."),
                   "unit": (enum("celsius", "fahrenheit"), "Temperature unit.", "Unité de température.")},
        "required": ["city"],
        "en": ["What's the weather like in {city:city} right now?",
               "Is it cold in {city:city} at the moment?",
               "Tell me the current temperature in {city:city} {unit:temp_unit}.",
               "How's the weather in {city:city} today? Give it to me {unit:temp_unit}.",
               "Check the current conditions in {city:city} for me."],
        "fr": ["Quel temps fait-il à {city:city} en ce moment ?",
               "Est-ce qu'il pleut à {city:city} actuellement ?",
               "Donne-moi la température actuelle à {city:city} {unit:temp_unit}.",
               "Tu peux vérifier la météo à {city:city} maintenant ?",
               "Il fait combien à {city:city} ? Réponds {unit:temp_unit}, s'il te plaît."],
        "par_en": ["Compare the current weather in {city__1:city} and {city__2:city}.",
                   "What's the weather right now in {city__1:city} and in {city__2:city}?"],
        "par_fr": ["Compare la météo actuelle à {city__1:city} et à {city__2:city}.",
                   "Quel temps fait-il en ce moment à {city__1:city} et à {city__2:city} ?"],
    },
    "get_weather_forecast": {
        "desc": ("Get the weather forecast for the coming days in a city.",
                 "Donne les prévisions météo des prochains jours pour une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville."),
                   "days": (integer(1, 10), "Number of days to forecast (default 3).",
                            "Nombre de jours de prévision (3 par défaut)."),
                   "unit": (enum("celsius", "fahrenheit"), "Temperature unit.", "Unité de température.")},
        "required": ["city"],
        "en": ["What's the forecast for {city:city} over the next {days:days} days?",
               "Will it rain in {city:city} this week?",
               "Give me the {days:days}-day forecast for {city:city}.",
               "I'm going to {city:city}. What will the weather be like in the coming days?",
               "Forecast for {city:city}, next {days:days} days, {unit:temp_unit} please."],
        "fr": ["Quelles sont les prévisions météo pour {city:city} sur les {days:days} prochains jours ?",
               "Va-t-il pleuvoir à {city:city} cette semaine ?",
               "Donne-moi la météo à {city:city} pour les {days:days} prochains jours {unit:temp_unit}.",
               "Je pars à {city:city}, quel temps est prévu dans les jours qui viennent ?"],
    },
    "create_calendar_event": {
        "desc": ("Create an event in the user's calendar.", "Crée un événement dans l'agenda de l'utilisateur."),
        "params": {"title": (S, "Event title.", "Titre de l'événement."),
                   "date": (DATE, "Date in YYYY-MM-DD format.", "Date au format AAAA-MM-JJ."),
                   "start_time": (TIME, "Start time, HH:MM (24-hour).", "Heure de début, HH:MM (sur 24 heures)."),
                   "duration_minutes": (integer(5, 1440), "Length in minutes (default 60).",
                                        "Durée en minutes (60 par défaut)."),
                   "location": (S, "Where the event takes place.", "Lieu de l'événement.")},
        "required": ["title", "date", "start_time"],
        "en": ['Add "{title:event_title}" to my calendar on {date:date} at {start_time:time}.',
               'Schedule "{title:event_title}" for {date:date} at {start_time:time}, lasting {duration_minutes:duration} minutes.',
               'Put "{title:event_title}" in my agenda on {date:date} at {start_time:time} in {location:venue}.',
               'Create an event called "{title:event_title}" on {date:date} starting at {start_time:time}.'],
        "fr": ["Ajoute « {title:event_title} » à mon agenda le {date:date} à {start_time:time}.",
               "Programme « {title:event_title} » le {date:date} à {start_time:time} pour une durée de {duration_minutes:duration} minutes.",
               "Crée un événement « {title:event_title} » le {date:date} à {start_time:time}, lieu : {location:venue}.",
               "Note dans mon calendrier : « {title:event_title} », le {date:date} à {start_time:time}."],
    },
    "list_calendar_events": {
        "desc": ("List the events in the user's calendar for one day.",
                 "Liste les événements de l'agenda de l'utilisateur pour une journée."),
        "params": {"date": (DATE, "Day to list, YYYY-MM-DD.", "Jour à consulter, AAAA-MM-JJ."),
                   "calendar": (enum("work", "personal"), "Which calendar (default: both).",
                                "Quel agenda (par défaut : les deux).")},
        "required": ["date"],
        "en": ["What's on my calendar for {date:date}?",
               "Show me my {calendar:calendar} events on {date:date}.",
               "Do I have anything scheduled on {date:date}?",
               "List the appointments in my {calendar:calendar} calendar for {date:date}."],
        "fr": ["Qu'est-ce que j'ai dans mon agenda le {date:date} ?",
               "Montre-moi les événements de mon agenda {calendar:calendar} le {date:date}.",
               "Ai-je des rendez-vous prévus le {date:date} ?",
               "Liste mes rendez-vous du {date:date} dans l'agenda {calendar:calendar}."],
    },
    "send_email": {
        "desc": ("Send an e-mail message.", "Envoie un e-mail."),
        "params": {"to": (S, "Recipient address.", "Adresse du destinataire."),
                   "subject": (S, "Subject line.", "Objet du message."),
                   "body": (S, "Message text.", "Texte du message."),
                   "cc": (S, "Address to copy, if any.", "Adresse en copie, le cas échéant.")},
        "required": ["to", "subject", "body"],
        "en": ['Send an email to {to:email} with the subject "{subject:subject}" and the message "{body:body}"',
               'Email {to:email}: subject "{subject:subject}", body "{body:body}" Copy {cc:email}.',
               'Write to {to:email}. Subject: "{subject:subject}". Text: "{body:body}"'],
        "fr": ["Envoie un e-mail à {to:email} avec l'objet « {subject:subject} » et le message « {body:body} »",
               "Écris un courriel à {to:email}, objet « {subject:subject} », contenu : « {body:body} » Mets {cc:email} en copie.",
               "Peux-tu envoyer un mail à {to:email} ? Objet : « {subject:subject} ». Message : « {body:body} »"],
    },
    "convert_currency": {
        "desc": ("Convert an amount of money from one currency to another at today's rate.",
                 "Convertit une somme d'une devise à une autre au cours du jour."),
        "params": {"amount": ({"type": "number", "exclusiveMinimum": 0}, "Amount to convert.", "Montant à convertir."),
                   "from_currency": (CUR, "ISO 4217 code of the source currency, e.g. EUR.",
                                     "Code ISO 4217 de la devise de départ, par exemple EUR."),
                   "to_currency": (CUR, "ISO 4217 code of the target currency.",
                                   "Code ISO 4217 de la devise d'arrivée.")},
        "required": ["amount", "from_currency", "to_currency"],
        "en": ["Convert {amount:money} {from_currency:currency} to {to_currency:currency}.",
               "How much is {amount:money} {from_currency:currency} in {to_currency:currency}?",
               "I have {amount:money} {from_currency:currency}. What's that worth in {to_currency:currency}?",
               "What do {amount:money} {from_currency:currency} come to in {to_currency:currency}?"],
        "fr": ["Convertis {amount:money} {from_currency:currency} en {to_currency:currency}.",
               "Combien font {amount:money} {from_currency:currency} en {to_currency:currency} ?",
               "J'ai {amount:money} {from_currency:currency}, ça fait combien en {to_currency:currency} ?"],
        "par_en": ["Convert {amount:money} {from_currency:currency} to {to_currency__1:currency} and to {to_currency__2:currency}."],
        "par_fr": ["Convertis {amount:money} {from_currency:currency} en {to_currency__1:currency} et en {to_currency__2:currency}."],
    },
    "convert_units": {
        "desc": ("Convert a quantity between units of length, mass, volume or temperature.",
                 "Convertit une quantité entre unités de longueur, de masse, de volume ou de température."),
        "params": {"value": ({"type": "number"}, "Quantity to convert.", "Quantité à convertir."),
                   "from_unit": (enum(*UNITS), "Unit of the given quantity.", "Unité de la quantité donnée."),
                   "to_unit": (enum(*UNITS), "Unit wanted.", "Unité souhaitée.")},
        "required": ["value", "from_unit", "to_unit"],
        "en": ["Convert {value:quantity} {from_unit:unit_from} to {to_unit:unit_to}.",
               "How many {to_unit:unit_to} is {value:quantity} {from_unit:unit_from}?",
               "What is {value:quantity} {from_unit:unit_from} in {to_unit:unit_to}?"],
        "fr": ["Convertis {value:quantity} {from_unit:unit_from} en {to_unit:unit_to}.",
               "Combien font {value:quantity} {from_unit:unit_from} en {to_unit:unit_to} ?",
               "{value:quantity} {from_unit:unit_from}, ça fait combien en {to_unit:unit_to} ?"],
    },
    "search_recipes": {
        "desc": ("Search recipes by ingredients, with optional diet and time limits.",
                 "Cherche des recettes à partir d'ingrédients, avec régime et durée en option."),
        "params": {"ingredients": ({"type": "array", "items": S, "minItems": 1}, "Ingredients to use.",
                                   "Ingrédients à utiliser."),
                   "diet": (enum("vegetarian", "vegan", "gluten_free"), "Dietary restriction.",
                            "Régime alimentaire."),
                   "max_minutes": (integer(5), "Maximum preparation time in minutes.",
                                   "Temps de préparation maximal en minutes.")},
        "required": ["ingredients"],
        "en": ["Find me a recipe with {ingredients:ingredients}.",
               "What can I cook with {ingredients:ingredients}? It should be {diet:diet}.",
               "Suggest a {diet:diet} recipe using {ingredients:ingredients} that takes under {max_minutes:minutes} minutes.",
               "I've got {ingredients:ingredients} in the fridge. Any recipe ready in {max_minutes:minutes} minutes or less?"],
        "fr": ["Trouve-moi une recette à base {ingredients:ingredients_de}.",
               "Que puis-je cuisiner avec {ingredients:ingredients} ? Je voudrais un plat {diet:diet}.",
               "Une idée de plat {diet:diet} avec {ingredients:ingredients}, prêt en moins de {max_minutes:minutes} minutes ?",
               "J'ai {ingredients:ingredients} dans le frigo. Une recette faisable en {max_minutes:minutes} minutes maximum ?"],
    },
    "search_train_tickets": {
        "desc": ("Search train tickets between two cities on a given day.",
                 "Recherche des billets de train entre deux villes pour un jour donné."),
        "params": {"origin": (S, "Departure city.", "Ville de départ."),
                   "destination": (S, "Arrival city.", "Ville d'arrivée."),
                   "date": (DATE, "Travel date, YYYY-MM-DD.", "Date du voyage, AAAA-MM-JJ."),
                   "passengers": (integer(1, 9), "Number of travellers (default 1).",
                                  "Nombre de voyageurs (1 par défaut)."),
                   "travel_class": (enum("first", "second"), "Travel class.", "Classe de voyage.")},
        "required": ["origin", "destination", "date"],
        "en": ["Find train tickets from {origin:rail} to {destination:rail} on {date:date}.",
               "I need a train from {origin:rail} to {destination:rail} on {date:date} for {passengers:people} people.",
               "Look for {travel_class:travel_class} train tickets from {origin:rail} to {destination:rail} on {date:date}."],
        "fr": ["Cherche des billets de train {origin:rail_de} à {destination:rail} le {date:date}.",
               "Il me faut un train {origin:rail_de} à {destination:rail} le {date:date} pour {passengers:people} personnes.",
               "Trouve-moi des billets de train {travel_class:travel_class} {origin:rail_de} à {destination:rail} le {date:date}."],
    },
    "translate_text": {
        "desc": ("Translate a text into another language.", "Traduit un texte dans une autre langue."),
        "params": {"text": (S, "Text to translate.", "Texte à traduire."),
                   "target_language": (enum(*LANG_CODES), "ISO 639-1 code of the target language.",
                                       "Code ISO 639-1 de la langue cible."),
                   "source_language": (enum(*LANG_CODES), "ISO 639-1 code of the source language, if known.",
                                       "Code ISO 639-1 de la langue source, si elle est connue.")},
        "required": ["text", "target_language"],
        "en": ['Translate "{text:phrase}" into {target_language:language}.',
               'How do you say "{text:phrase}" in {target_language:language}?',
               'Translate this {source_language:source} sentence into {target_language:language}: "{text:phrase}"'],
        "fr": ["Traduis « {text:phrase} » en {target_language:language}.",
               "Comment dit-on « {text:phrase} » en {target_language:language} ?",
               "Traduis cette phrase du {source_language:source} en {target_language:language} : « {text:phrase} »"],
    },
    "get_stock_price": {
        "desc": ("Get the latest share price for a stock ticker symbol.",
                 "Donne le dernier cours d'une action à partir de son symbole boursier."),
        "params": {"symbol": ({"type": "string", "pattern": "^[A-Z]{1,5}$"}, "Ticker symbol, e.g. AAPL.",
                              "Symbole boursier, par exemple AAPL.")},
        "required": ["symbol"],
        "en": ["What's the current price of {symbol:ticker} stock?",
               "How is {symbol:ticker} trading right now?",
               "Give me the latest share price for {symbol:ticker}.",
               "Check the stock quote for {symbol:ticker}."],
        "fr": ["Quel est le cours actuel de l'action {symbol:ticker} ?",
               "Combien vaut l'action {symbol:ticker} en ce moment ?",
               "Donne-moi le dernier cours de {symbol:ticker} en bourse.",
               "Où en est le titre {symbol:ticker} aujourd'hui ?"],
        "par_en": ["Compare the share prices of {symbol__1:ticker} and {symbol__2:ticker}.",
                   "Get me quotes for {symbol__1:ticker} and {symbol__2:ticker}."],
        "par_fr": ["Compare les cours de {symbol__1:ticker} et de {symbol__2:ticker}.",
                   "Donne-moi les cotations de {symbol__1:ticker} et {symbol__2:ticker}."],
    },
    "set_reminder": {
        "desc": ("Create a reminder that notifies the user at a given date and time.",
                 "Crée un rappel qui prévient l'utilisateur à une date et une heure données."),
        "params": {"text": (S, "What to remind the user about.", "Objet du rappel."),
                   "date": (DATE, "Date, YYYY-MM-DD.", "Date, AAAA-MM-JJ."),
                   "time": (TIME, "Time, HH:MM (24-hour).", "Heure, HH:MM (sur 24 heures).")},
        "required": ["text", "date", "time"],
        "en": ["Remind me to {text:task} on {date:date} at {time:time}.",
               "Set a reminder for {date:date} at {time:time}: {text:task}.",
               "Don't let me forget to {text:task}. Ping me on {date:date} at {time:time}."],
        "fr": ["Rappelle-moi {text:task_de} le {date:date} à {time:time}.",
               "Crée un rappel le {date:date} à {time:time} : {text:task}.",
               "Mets-moi un rappel pour {text:task} le {date:date} à {time:time}."],
    },
    "get_directions": {
        "desc": ("Get a route between two places in the city.", "Calcule un itinéraire entre deux lieux de la ville."),
        "params": {"origin": (S, "Starting point.", "Point de départ."),
                   "destination": (S, "End point.", "Point d'arrivée."),
                   "mode": (enum("driving", "walking", "cycling", "transit"), "Means of travel (default driving).",
                            "Moyen de déplacement (voiture par défaut).")},
        "required": ["origin", "destination"],
        "en": ["How do I get from {origin:spot} to {destination:spot}?",
               "Give me directions from {origin:spot} to {destination:spot} {mode:mode}.",
               "What's the best route from {origin:spot} to {destination:spot}?",
               "Show me the way to {destination:spot} from {origin:spot} {mode:mode}."],
        "fr": ["Comment aller {origin:spot_de} à {destination:spot} ?",
               "Donne-moi l'itinéraire {origin:spot_de} à {destination:spot} {mode:mode}.",
               "Quel est le meilleur trajet entre {origin:spot} et {destination:spot} ?",
               "Je veux aller à {destination:spot} depuis {origin:spot} {mode:mode}, tu peux me guider ?"],
    },
    "find_nearby_places": {
        "desc": ("Find places of a given type around a location.", "Trouve des lieux d'un type donné autour d'un endroit."),
        "params": {"place_type": (enum("cafe", "gas_station", "supermarket", "atm", "bakery", "hotel"),
                                  "Kind of place.", "Type de lieu."),
                   "location": (S, "Where to search around.", "Endroit autour duquel chercher."),
                   "radius_km": ({"type": "number", "exclusiveMinimum": 0}, "Search radius in km (default 1).",
                                 "Rayon de recherche en km (1 par défaut).")},
        "required": ["place_type", "location"],
        "en": ["Find {place_type:place} near {location:spot}.",
               "Is there {place_type:place} within {radius_km:radius} km of {location:spot}?",
               "I'm at {location:spot}. Where can I find {place_type:place}?",
               "Show me {place_type:place} around {location:spot}, within {radius_km:radius} kilometers."],
        "fr": ["Trouve {place_type:place} près {location:spot_de}.",
               "Y a-t-il {place_type:place} à moins de {radius_km:radius} km {location:spot_de} ?",
               "Je suis à {location:spot}, où est-ce que je peux trouver {place_type:place} ?"],
    },
    "play_music": {
        "desc": ("Play music by an artist or a song title on the user's speaker.",
                 "Joue de la musique (artiste ou titre) sur l'enceinte de l'utilisateur."),
        "params": {"query": (S, "Artist, album or song to play.", "Artiste, album ou titre à jouer."),
                   "shuffle": ({"type": "boolean"}, "Play in random order.", "Lecture aléatoire.")},
        "required": ["query"],
        "en": ["Play some {query:artist}.",
               "Put on {query:artist}, please.",
               ("I want to listen to {query:artist} on shuffle.", {"shuffle": True}),
               ("Play {query:artist} in order, no shuffle.", {"shuffle": False})],
        "fr": ["Mets {query:artist}.",
               "Joue un peu {query:artist_de}.",
               ("J'ai envie d'écouter {query:artist} en mode aléatoire.", {"shuffle": True}),
               ("Lance {query:artist}, dans l'ordre, sans aléatoire.", {"shuffle": False})],
    },
    "set_timer": {
        "desc": ("Start a countdown timer.", "Lance un minuteur."),
        "params": {"minutes": (integer(1, 600), "Duration in minutes.", "Durée en minutes."),
                   "label": (S, "Optional name for the timer.", "Nom facultatif du minuteur.")},
        "required": ["minutes"],
        "en": ["Set a timer for {minutes:timer_min} minutes.",
               "Start a {minutes:timer_min}-minute timer for the {label:timer_label}.",
               'Timer for {minutes:timer_min} minutes, call it "{label:timer_label}".',
               "Count down {minutes:timer_min} minutes for me."],
        "fr": ["Mets un minuteur de {minutes:timer_min} minutes.",
               "Minuteur {minutes:timer_min} minutes, s'il te plaît.",
               "Lance un minuteur de {minutes:timer_min} minutes nommé « {label:timer_label} ».",
               "Compte {minutes:timer_min} minutes pour moi."],
    },
    "set_alarm": {
        "desc": ("Set an alarm clock.", "Règle une alarme (réveil)."),
        "params": {"time": (TIME, "Alarm time, HH:MM (24-hour).", "Heure de l'alarme, HH:MM (sur 24 heures)."),
                   "label": (S, "Alarm label.", "Libellé de l'alarme."),
                   "repeat_daily": ({"type": "boolean"}, "Ring every day (default false).",
                                    "Sonner tous les jours (faux par défaut).")},
        "required": ["time"],
        "en": ["Wake me up at {time:time}.",
               ("Set an alarm for {time:time} every day.", {"repeat_daily": True}),
               'Set an alarm at {time:time} labeled "{label:alarm_label}".',
               ("Alarm at {time:time}, just once.", {"repeat_daily": False})],
        "fr": ["Réveille-moi à {time:time}.",
               ("Mets un réveil à {time:time} tous les jours.", {"repeat_daily": True}),
               "Règle une alarme à {time:time} avec le libellé « {label:alarm_label} ».",
               ("Une alarme à {time:time}, juste pour cette fois.", {"repeat_daily": False})],
    },
    "search_flights": {
        "desc": ("Search flights between two cities.", "Recherche des vols entre deux villes."),
        "params": {"origin": (S, "Departure city.", "Ville de départ."),
                   "destination": (S, "Arrival city.", "Ville d'arrivée."),
                   "departure_date": (DATE, "Outbound date, YYYY-MM-DD.", "Date de l'aller, AAAA-MM-JJ."),
                   "return_date": (DATE, "Return date for a round trip.", "Date du retour pour un aller-retour."),
                   "passengers": (integer(1, 9), "Number of passengers (default 1).",
                                  "Nombre de passagers (1 par défaut).")},
        "required": ["origin", "destination", "departure_date"],
        "en": ["Find flights from {origin:city} to {destination:city} on {departure_date:date}.",
               "I need a flight from {origin:city} to {destination:city} leaving {departure_date:date} and coming back {return_date:date2}.",
               "Search flights from {origin:city} to {destination:city} on {departure_date:date} for {passengers:people} passengers."],
        "fr": ["Trouve des vols {origin:city_de} à {destination:city} le {departure_date:date}.",
               "Je cherche un vol {origin:city_de} pour {destination:city}, départ le {departure_date:date} et retour le {return_date:date2}.",
               "Recherche des vols entre {origin:city} et {destination:city} le {departure_date:date} pour {passengers:people} passagers."],
    },
    "get_news_headlines": {
        "desc": ("Get the latest news headlines on a topic.", "Donne les derniers titres de l'actualité sur un thème."),
        "params": {"topic": (enum("world", "business", "technology", "sports", "science", "health"),
                             "News topic.", "Thème de l'actualité."),
                   "limit": (integer(1, 20), "How many headlines (default 5).", "Nombre de titres (5 par défaut).")},
        "required": ["topic"],
        "en": ["What are the latest {topic:news_topic} headlines?",
               "Give me the top {limit:count} {topic:news_topic} stories.",
               "Any {topic:news_topic} news today?"],
        "fr": ["Quelles sont les dernières actualités {topic:news_topic} ?",
               "Montre-moi les {limit:count} dernières nouvelles {topic:news_topic}.",
               "Y a-t-il des nouvelles {topic:news_topic} aujourd'hui ?"],
    },
    "calculate_tip": {
        "desc": ("Compute the tip for a restaurant bill, optionally split between people.",
                 "Calcule le pourboire d'une addition, éventuellement partagé entre plusieurs personnes."),
        "params": {"bill_amount": ({"type": "number", "exclusiveMinimum": 0}, "Total of the bill.", "Montant de l'addition."),
                   "tip_percent": ({"type": "number", "minimum": 0, "maximum": 100}, "Tip as a percentage.",
                                   "Pourboire en pourcentage."),
                   "split_between": (integer(1, 50), "Number of people sharing (default 1).",
                                     "Nombre de personnes qui partagent (1 par défaut).")},
        "required": ["bill_amount", "tip_percent"],
        "en": ["What's a {tip_percent:percent}% tip on a bill of {bill_amount:bill} dollars?",
               "We spent {bill_amount:bill} euros on dinner. Work out a {tip_percent:percent}% tip split between {split_between:people} people.",
               "Calculate a {tip_percent:percent} percent tip for a {bill_amount:bill} check."],
        "fr": ["Combien fait un pourboire de {tip_percent:percent} % sur une addition de {bill_amount:bill} euros ?",
               "L'addition est de {bill_amount:bill} euros, calcule un pourboire de {tip_percent:percent} % à partager entre {split_between:people} personnes.",
               "Calcule {tip_percent:percent} % de pourboire pour une note de {bill_amount:bill} euros."],
    },
    "get_movie_showtimes": {
        "desc": ("List cinema showtimes in a city.", "Liste les séances de cinéma dans une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville."),
                   "date": (DATE, "Day, YYYY-MM-DD (default today).", "Jour, AAAA-MM-JJ (aujourd'hui par défaut)."),
                   "genre": (enum("action", "comedy", "drama", "animation", "documentary", "horror"),
                             "Film genre.", "Genre du film.")},
        "required": ["city"],
        "en": ["What movies are playing in {city:city} tonight?",
               "Show me {genre:genre} films showing in {city:city} on {date:date}.",
               "Cinema listings for {city:city} on {date:date}, please."],
        "fr": ["Quels films passent au cinéma à {city:city} ce soir ?",
               "Montre-moi les séances de {genre:genre} à {city:city} le {date:date}.",
               "Le programme des cinémas {city:city_de} pour le {date:date}, s'il te plaît."],
    },
    "book_taxi": {
        "desc": ("Book a taxi between two addresses.", "Réserve un taxi entre deux adresses."),
        "params": {"pickup": (S, "Pick-up address.", "Adresse de prise en charge."),
                   "dropoff": (S, "Destination address.", "Adresse de destination."),
                   "pickup_time": (TIME, "Pick-up time HH:MM (default now).", "Heure de prise en charge HH:MM (immédiate par défaut)."),
                   "passengers": (integer(1, 8), "Number of passengers.", "Nombre de passagers.")},
        "required": ["pickup", "dropoff"],
        "en": ["Book a taxi from {pickup:address} to {dropoff:address}.",
               "I need a cab at {pickup_time:time} from {pickup:address} to {dropoff:address}.",
               "Get me a taxi for {passengers:people} people from {pickup:address} to {dropoff:address} at {pickup_time:time}."],
        "fr": ["Réserve un taxi du {pickup:address} au {dropoff:address}.",
               "Il me faut un taxi à {pickup_time:time}, du {pickup:address} au {dropoff:address}.",
               "Commande un taxi pour {passengers:people} personnes, départ du {pickup:address} à {pickup_time:time}, destination : {dropoff:address}."],
    },
    "get_local_time": {
        "desc": ("Get the current local time in a city.", "Donne l'heure locale actuelle dans une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville.")},
        "required": ["city"],
        "en": ["What time is it in {city:city}?",
               "What's the local time in {city:city} right now?",
               "Tell me the current time in {city:city}."],
        "fr": ["Quelle heure est-il à {city:city} ?",
               "Il est quelle heure à {city:city} en ce moment ?",
               "Donne-moi l'heure locale à {city:city}."],
        "par_en": ["What time is it in {city__1:city} and in {city__2:city}?"],
        "par_fr": ["Quelle heure est-il à {city__1:city} et à {city__2:city} ?"],
    },
    "define_word": {
        "desc": ("Look up the definition of a word in a dictionary.", "Cherche la définition d'un mot dans le dictionnaire."),
        "params": {"word": (S, "Word to define.", "Mot à définir."),
                   "language": (enum("en", "fr"), "Dictionary language.", "Langue du dictionnaire.")},
        "required": ["word"],
        "en": ['What does "{word:word}" mean?',
               'Define the word "{word:word}".',
               ('Look up "{word:word}" in the English dictionary.', {"language": "en"})],
        "fr": ["Que veut dire « {word:word} » ?",
               "Donne-moi la définition du mot « {word:word} ».",
               ("Cherche « {word:word} » dans le dictionnaire français.", {"language": "fr"})],
    },
    "add_todo_item": {
        "desc": ("Add a task to the user's to-do list.", "Ajoute une tâche à la liste de choses à faire."),
        "params": {"task": (S, "Task description.", "Description de la tâche."),
                   "due_date": (DATE, "Due date, YYYY-MM-DD.", "Échéance, AAAA-MM-JJ."),
                   "priority": (enum("low", "medium", "high"), "Priority (default medium).",
                                "Priorité (moyenne par défaut).")},
        "required": ["task"],
        "en": ['Add "{task:todo}" to my to-do list.',
               'Put "{task:todo}" on my list for {due_date:date}, {priority:priority}.',
               "New task: {task:todo}, due {due_date:date}."],
        "fr": ["Ajoute « {task:todo} » à ma liste de tâches.",
               "Mets « {task:todo} » dans ma liste pour le {due_date:date}, {priority:priority}.",
               "Nouvelle tâche : {task:todo}, à faire pour le {due_date:date}."],
    },
    "send_text_message": {
        "desc": ("Send an SMS to a phone number.", "Envoie un SMS à un numéro de téléphone."),
        "params": {"phone_number": (S, "Recipient phone number.", "Numéro du destinataire."),
                   "message": (S, "Text of the SMS.", "Texte du SMS.")},
        "required": ["phone_number", "message"],
        "en": ['Text {phone_number:phone} "{message:sms}"',
               'Send an SMS to {phone_number:phone} saying "{message:sms}"',
               'Message {phone_number:phone}: "{message:sms}"'],
        "fr": ["Envoie un SMS au {phone_number:phone} : « {message:sms} »",
               "Écris un texto au {phone_number:phone} pour dire « {message:sms} »",
               "Texto au {phone_number:phone} : « {message:sms} »"],
    },
    "track_package": {
        "desc": ("Get the delivery status of a parcel.", "Donne l'état de livraison d'un colis."),
        "params": {"tracking_number": (S, "Carrier tracking number.", "Numéro de suivi du transporteur.")},
        "required": ["tracking_number"],
        "en": ["Where is my package {tracking_number:tracking}?",
               "Track parcel number {tracking_number:tracking}.",
               "Has package {tracking_number:tracking} been delivered yet?"],
        "fr": ["Où en est mon colis {tracking_number:tracking} ?",
               "Suis le colis numéro {tracking_number:tracking}.",
               "Le colis {tracking_number:tracking} a-t-il été livré ?"],
        "par_en": ["Track packages {tracking_number__1:tracking} and {tracking_number__2:tracking}."],
        "par_fr": ["Donne-moi le suivi des colis {tracking_number__1:tracking} et {tracking_number__2:tracking}."],
    },
    "search_restaurants": {
        "desc": ("Search restaurants in a city.", "Cherche des restaurants dans une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville."),
                   "cuisine": (S, "Type of cuisine.", "Type de cuisine."),
                   "price_range": (enum("cheap", "moderate", "expensive"), "Price level.", "Niveau de prix.")},
        "required": ["city"],
        "en": ["Find a restaurant in {city:city}.",
               "Where can I get good {cuisine:cuisine} food in {city:city}?",
               "Look for {price_range:price_range} {cuisine:cuisine} restaurants in {city:city}."],
        "fr": ["Trouve un restaurant à {city:city}.",
               "Où manger {cuisine:cuisine} à {city:city} ?",
               "Cherche un restaurant {cuisine:cuisine} {price_range:price_range} à {city:city}."],
    },
    "get_air_quality": {
        "desc": ("Get the current air quality index of a city.", "Donne l'indice actuel de qualité de l'air d'une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville.")},
        "required": ["city"],
        "en": ["How's the air quality in {city:city} today?",
               "Is the air clean in {city:city} right now?",
               "Give me the pollution index for {city:city}."],
        "fr": ["Quelle est la qualité de l'air à {city:city} aujourd'hui ?",
               "L'air est-il pollué à {city:city} en ce moment ?",
               "Donne-moi l'indice de pollution pour {city:city}."],
        "par_en": ["Compare the air quality in {city__1:city} and {city__2:city}."],
        "par_fr": ["Compare la qualité de l'air à {city__1:city} et à {city__2:city}."],
    },
    "get_sunrise_sunset": {
        "desc": ("Get sunrise and sunset times for a city.", "Donne les heures de lever et de coucher du soleil d'une ville."),
        "params": {"city": (S, "City name.", "Nom de la ville."),
                   "date": (DATE, "Day, YYYY-MM-DD (default today).", "Jour, AAAA-MM-JJ (aujourd'hui par défaut).")},
        "required": ["city"],
        "en": ["When does the sun rise in {city:city}?",
               "What time is sunset in {city:city} on {date:date}?",
               "Sunrise and sunset times for {city:city} on {date:date}, please."],
        "fr": ["À quelle heure se lève le soleil à {city:city} ?",
               "À quelle heure le soleil se couche-t-il à {city:city} le {date:date} ?",
               "Les heures de lever et de coucher du soleil à {city:city} le {date:date}, s'il te plaît."],
    },
    "set_light_state": {
        "desc": ("Switch a room's smart lights on or off and set their brightness.",
                 "Allume ou éteint les lampes connectées d'une pièce et règle leur intensité."),
        "params": {"room": (enum("living_room", "kitchen", "bedroom", "office", "bathroom"), "Room.", "Pièce."),
                   "on": ({"type": "boolean"}, "True to switch on, false to switch off.",
                          "Vrai pour allumer, faux pour éteindre."),
                   "brightness": (integer(1, 100), "Brightness in percent.", "Intensité en pourcentage.")},
        "required": ["room", "on"],
        "en": [("Turn on the {room:room} lights.", {"on": True}),
               ("Switch off the light in the {room:room}.", {"on": False}),
               ("Dim the {room:room} lights to {brightness:brightness}%.", {"on": True}),
               ("Turn the {room:room} light on at {brightness:brightness} percent.", {"on": True})],
        "fr": [("Allume la lumière {room:room}.", {"on": True}),
               ("Éteins la lumière {room:room}.", {"on": False}),
               ("Baisse la lumière {room:room} à {brightness:brightness} %.", {"on": True}),
               ("Mets l'éclairage {room:room} à {brightness:brightness} pour cent.", {"on": True})],
    },
    "get_public_holidays": {
        "desc": ("List the public holidays of a country for a year.", "Liste les jours fériés d'un pays pour une année."),
        "params": {"country": (S, "Country name.", "Nom du pays."),
                   "year": (integer(1900, 2100), "Year.", "Année.")},
        "required": ["country", "year"],
        "en": ["List the public holidays {country:country} for {year:year}.",
               "Which days are public holidays {country:country} in {year:year}?",
               "What are the bank holidays {country:country} in {year:year}?"],
        "fr": ["Quels sont les jours fériés {country:country} en {year:year} ?",
               "Liste les jours fériés de {year:year} {country:country}.",
               "Donne-moi les jours fériés {country:country} pour l'année {year:year}."],
    },
    "search_hotels": {
        "desc": ("Search available hotel rooms in a city for given dates.",
                 "Cherche des chambres d'hôtel disponibles dans une ville pour des dates données."),
        "params": {"city": (S, "City name.", "Nom de la ville."),
                   "check_in": (DATE, "Arrival date, YYYY-MM-DD.", "Date d'arrivée, AAAA-MM-JJ."),
                   "check_out": (DATE, "Departure date, YYYY-MM-DD.", "Date de départ, AAAA-MM-JJ."),
                   "guests": (integer(1, 10), "Number of guests (default 1).", "Nombre de personnes (1 par défaut)."),
                   "max_price": ({"type": "number", "exclusiveMinimum": 0}, "Maximum price per night in euros.",
                                 "Prix maximal par nuit en euros.")},
        "required": ["city", "check_in", "check_out"],
        "en": ["Find a hotel in {city:city} from {check_in:date} to {check_out:date2}.",
               "I need a room in {city:city} for {guests:people} guests, checking in {check_in:date} and out {check_out:date2}.",
               "Search hotels in {city:city} under {max_price:hotel_price} euros a night, {check_in:date} to {check_out:date2}."],
        "fr": ["Trouve un hôtel à {city:city} du {check_in:date} au {check_out:date2}.",
               "Il me faut une chambre à {city:city} pour {guests:people} personnes, arrivée le {check_in:date}, départ le {check_out:date2}.",
               "Cherche des hôtels à {city:city} à moins de {max_price:hotel_price} euros la nuit, du {check_in:date} au {check_out:date2}."],
    },
    "check_flight_status": {
        "desc": ("Get the live status of a flight.", "Donne l'état en temps réel d'un vol."),
        "params": {"flight_number": ({"type": "string", "pattern": "^[A-Z0-9]{2}[0-9]{1,4}$"},
                                     "Flight number, e.g. AF1234.", "Numéro de vol, par exemple AF1234."),
                   "date": (DATE, "Flight date, YYYY-MM-DD (default today).", "Date du vol, AAAA-MM-JJ (aujourd'hui par défaut).")},
        "required": ["flight_number"],
        "en": ["Is flight {flight_number:flight} on time?",
               "What's the status of flight {flight_number:flight} on {date:date}?",
               "Has {flight_number:flight} landed yet?"],
        "fr": ["Le vol {flight_number:flight} est-il à l'heure ?",
               "Quel est le statut du vol {flight_number:flight} le {date:date} ?",
               "Le vol {flight_number:flight} a-t-il atterri ?"],
    },
}

# --------------------------------------------------------------------------------------------
# Requests that no offered tool can serve: the assistant answers in plain text.
# (request, answer, tools that must not be offered with it)
# --------------------------------------------------------------------------------------------

WEATHER = ("get_current_weather", "get_weather_forecast")
PLACES_T = ("search_restaurants", "find_nearby_places")
IRRELEVANT: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "en": [
        ("Write a haiku about autumn leaves.",
         "Crimson leaves drifting\nthe cold wind hums through bare boughs\nautumn says goodbye", ()),
        ("How many legs does a spider have?", "A spider has eight legs.", ()),
        ("What is the capital of Australia?", "The capital of Australia is Canberra.", ()),
        ("Who wrote Romeo and Juliet?", "Romeo and Juliet was written by William Shakespeare.", ()),
        ("What's the square root of 144?", "The square root of 144 is 12.", ("calculate_tip",)),
        ("Can you explain photosynthesis in one sentence?",
         "Photosynthesis is the process by which plants use sunlight, water and carbon dioxide to make sugars and release oxygen.", ()),
        ("Tell me a joke about cats.", "Why did the cat sit on the computer? To keep an eye on the mouse!", ()),
        ("Order a pizza for me.",
         "I'm sorry, I can't place food orders with the tools I have. You could order directly from a pizzeria's website or app.",
         PLACES_T),
        ("Can you pay my phone bill?",
         "I can't make payments with the tools available to me. You can usually pay the bill in your phone provider's app or website.", ()),
        ("What is the boiling point of water in Fahrenheit?",
         "At sea level, water boils at 212 degrees Fahrenheit.", ("convert_units",)),
        ("Give me a synonym for 'happy'.", "A common synonym for 'happy' is 'joyful'.", ("define_word",)),
        ("How many minutes are in a day?", "There are 1,440 minutes in a day.", ("convert_units",)),
        ("Suggest a name for a golden retriever puppy.",
         "How about 'Sunny'? It suits a golden retriever's bright coat and cheerful personality.", ()),
        ("Who painted the Mona Lisa?", "The Mona Lisa was painted by Leonardo da Vinci.", ()),
        ("Book me a table for two at a restaurant tonight.",
         "I can't make restaurant reservations with the tools available. I'd suggest calling the restaurant or using its booking page.",
         PLACES_T),
        ("What's the difference between weather and climate?",
         "Weather describes conditions over hours or days, while climate is the average pattern of weather in a region over many years.",
         WEATHER),
        ("Turn up the heating to 21 degrees.",
         "None of my available tools can control the heating. You could adjust your thermostat directly.", ()),
        ("Recommend a good book for a long flight.",
         "Try 'The Hobbit' by J.R.R. Tolkien: it's an easy, gripping adventure that makes the hours go by quickly.", ()),
        ("How do I say no politely to a colleague?",
         "Thank them for thinking of you, explain briefly that you don't have the capacity right now, and, if you can, suggest another time or person.", ()),
        ("What is 7 times 8?", "7 times 8 is 56.", ("calculate_tip",)),
        ("Summarize the plot of Cinderella in one sentence.",
         "A kind young woman mistreated by her stepfamily goes to a royal ball with help from her fairy godmother, loses a glass slipper, and is found by the prince.", ()),
        ("What does DNA stand for?", "DNA stands for deoxyribonucleic acid.", ("define_word",)),
        ("Which planet is closest to the Sun?", "Mercury is the planet closest to the Sun.", ()),
        ("Can you lend me some money?",
         "I can't lend or send money. If you need funds quickly, your bank may be able to suggest options.", ()),
        ("Hi! How are you today?", "Hello! I'm doing well, thanks for asking. How can I help you today?", ()),
        ("What colour do you get by mixing red and white?", "Mixing red and white gives pink.", ()),
    ],
    "fr": [
        ("Écris un petit poème sur la mer.",
         "La mer murmure au rivage,\nses vagues dessinent un message,\npuis repartent, bleues et sages.", ()),
        ("Combien de pattes a une araignée ?", "Une araignée a huit pattes.", ()),
        ("Quelle est la capitale du Canada ?", "La capitale du Canada est Ottawa.", ()),
        ("Qui a écrit Les Misérables ?", "Les Misérables est un roman de Victor Hugo, publié en 1862.", ()),
        ("Combien font 9 fois 7 ?", "9 fois 7 font 63.", ("calculate_tip",)),
        ("Explique-moi la photosynthèse en une phrase.",
         "La photosynthèse est le processus par lequel les plantes utilisent la lumière du soleil, l'eau et le dioxyde de carbone pour fabriquer des sucres en rejetant de l'oxygène.", ()),
        ("Raconte-moi une blague.",
         "Pourquoi les plongeurs plongent-ils toujours en arrière ? Parce que sinon, ils tombent dans le bateau !", ()),
        ("Commande-moi une pizza.",
         "Désolé, je ne peux pas passer de commande avec les outils dont je dispose. Vous pouvez commander directement sur le site ou l'application d'une pizzeria.",
         PLACES_T),
        ("Peux-tu payer ma facture de téléphone ?",
         "Je ne peux pas effectuer de paiement avec les outils disponibles. Vous pouvez généralement régler cette facture dans l'espace client de votre opérateur.", ()),
        ("À quelle température l'eau bout-elle ?", "Au niveau de la mer, l'eau bout à 100 degrés Celsius.",
         ("convert_units",)),
        ("Donne-moi un synonyme de « content ».", "Un synonyme de « content » est « heureux ».", ("define_word",)),
        ("Combien y a-t-il d'heures dans une semaine ?", "Il y a 168 heures dans une semaine.", ("convert_units",)),
        ("Propose-moi un nom pour mon chaton.", "Que diriez-vous de « Caramel » ? C'est doux et facile à appeler.", ()),
        ("Qui a peint La Joconde ?", "La Joconde a été peinte par Léonard de Vinci.", ()),
        ("Réserve-moi une table pour deux ce soir.",
         "Je ne peux pas réserver de table avec les outils à ma disposition. Le plus simple est d'appeler le restaurant ou de passer par son site de réservation.",
         PLACES_T),
        ("Quelle est la différence entre la météo et le climat ?",
         "La météo décrit le temps qu'il fait sur quelques heures ou quelques jours, alors que le climat correspond aux conditions moyennes d'une région sur de nombreuses années.",
         WEATHER),
        ("Monte le chauffage à 21 degrés.",
         "Aucun de mes outils ne permet de régler le chauffage. Vous pouvez ajuster directement votre thermostat.", ()),
        ("Conseille-moi un livre pour les vacances.",
         "Essayez « Le Petit Prince » d'Antoine de Saint-Exupéry : court, poétique et agréable à lire à tout âge.", ()),
        ("Comment refuser poliment une invitation ?",
         "Remerciez chaleureusement la personne, expliquez simplement que vous n'êtes pas disponible et proposez, si vous le souhaitez, de vous voir une autre fois.", ()),
        ("Résume l'histoire du Petit Chaperon rouge en une phrase.",
         "Une petite fille qui porte une galette à sa grand-mère se laisse tromper par un loup, qui arrive avant elle chez la grand-mère et se fait passer pour elle.", ()),
        ("Que signifie l'acronyme ONU ?", "ONU signifie Organisation des Nations unies.", ("define_word",)),
        ("Quelle est la planète la plus proche du Soleil ?", "Mercure est la planète la plus proche du Soleil.", ()),
        ("Tu peux me prêter de l'argent ?",
         "Je ne peux ni prêter ni envoyer d'argent. Si vous avez besoin d'un financement, votre banque pourra vous conseiller.", ()),
        ("Combien de jours compte une année bissextile ?", "Une année bissextile compte 366 jours.", ()),
        ("Salut ! Ça va ?", "Bonjour ! Ça va très bien, merci. Que puis-je faire pour vous ?", ()),
        ("Quel est le plus long fleuve de France ?",
         "La Loire est le plus long fleuve de France, avec un peu plus de 1 000 kilomètres.", ()),
    ],
}

SYSTEM_PROMPTS = {
    "en": ["You are a helpful assistant with access to functions. Call a function when it helps answer the user.",
           "You are a concise assistant. Use the provided tools when they are relevant; otherwise answer directly.",
           "You can call tools. Reply with a tool call when a tool fits the request, and in plain English otherwise."],
    "fr": ["Tu es un assistant serviable qui peut appeler des fonctions. Utilise-les lorsqu'elles sont utiles.",
           "Vous êtes un assistant concis. Utilisez les outils fournis s'ils sont pertinents ; sinon, répondez directement en français.",
           "Tu disposes d'outils. Appelle un outil quand il correspond à la demande, sinon réponds simplement en français."],
}
CONNECTORS = {
    "en": ["{a} {b}", "{a} Also, one more thing: {b}", "Two requests. First: {a} Second: {b}",
           "{a} And after that: {b}", "Please do both. {a} {b}"],
    "fr": ["{a} {b}", "{a} Et aussi : {b}", "Deux demandes. D'abord : {a} Ensuite : {b}",
           "{a} Et autre chose : {b}", "Fais les deux, s'il te plaît. {a} {b}"],
}

# --------------------------------------------------------------------------------------------
# French chat: everyday knowledge, grammar help, advice, definitions, practical questions.
# --------------------------------------------------------------------------------------------

CHAT_FR: list[tuple[str, str]] = [
    # Définitions et expressions
    ("Que veut dire le mot « altruiste » ?",
     "Une personne altruiste se soucie du bien des autres et agit pour les aider, parfois au détriment de son propre intérêt."),
    ("Qu'est-ce qu'un synonyme ?",
     "Un synonyme est un mot qui a un sens identique ou très proche d'un autre mot, comme « rapide » et « véloce »."),
    ("Qu'est-ce qu'un antonyme ?",
     "Un antonyme est un mot de sens contraire à un autre, par exemple « monter » et « descendre »."),
    ("Que signifie « procrastiner » ?",
     "Procrastiner, c'est remettre à plus tard ce que l'on pourrait faire tout de suite."),
    ("Qu'est-ce qu'une métaphore ?",
     "Une métaphore est une figure de style qui rapproche deux réalités sans mot de comparaison, comme « cet homme est un lion »."),
    ("Que veut dire « empathie » ?",
     "L'empathie est la capacité de comprendre ce que ressentent les autres et de se mettre à leur place."),
    ("Qu'est-ce qu'un mammifère ?",
     "Un mammifère est un animal vertébré dont les femelles allaitent leurs petits ; la plupart ont des poils."),
    ("Que signifie l'expression « poser un lapin » ?",
     "« Poser un lapin » signifie ne pas venir à un rendez-vous sans prévenir."),
    ("Que veut dire « avoir le cafard » ?", "Avoir le cafard, c'est se sentir triste ou déprimé."),
    ("Qu'est-ce qu'une démocratie ?",
     "Une démocratie est un régime politique dans lequel le pouvoir appartient au peuple, qui l'exerce directement ou par des représentants élus."),
    ("Que signifie « coûter les yeux de la tête » ?", "Cette expression signifie qu'une chose coûte très cher."),
    ("Qu'est-ce que l'inflation ?",
     "L'inflation est la hausse générale et durable des prix, qui réduit le pouvoir d'achat de la monnaie."),
    ("Que veut dire « bénévole » ?",
     "Un bénévole est une personne qui travaille ou rend service sans être payée."),
    ("Qu'est-ce qu'un palindrome ?",
     "Un palindrome est un mot ou une phrase qui se lit de la même façon dans les deux sens, comme « radar » ou « kayak »."),
    ("Que signifie « tomber dans les pommes » ?", "« Tomber dans les pommes » veut dire s'évanouir."),
    ("Qu'est-ce qu'un écosystème ?",
     "Un écosystème est l'ensemble formé par des êtres vivants et le milieu où ils vivent, avec toutes leurs interactions."),
    ("Qu'est-ce qu'un algorithme ?",
     "Un algorithme est une suite finie d'instructions précises qui permet de résoudre un problème ou d'accomplir une tâche."),
    ("Que signifie « avoir un poil dans la main » ?", "Cette expression familière signifie être paresseux."),
    ("Que veut dire « sobriété énergétique » ?",
     "La sobriété énergétique consiste à réduire sa consommation d'énergie en évitant les usages inutiles ou excessifs."),
    ("Qu'est-ce qu'un proverbe ?",
     "Un proverbe est une formule courte et imagée qui exprime une vérité générale ou un conseil, comme « Qui sème le vent récolte la tempête »."),
    ("Que signifie « mettre la puce à l'oreille » ?",
     "Cela signifie éveiller les soupçons de quelqu'un ou attirer son attention sur un détail."),
    ("Qu'est-ce qu'un herbivore ?",
     "Un herbivore est un animal qui se nourrit surtout de végétaux, comme la vache ou le lapin."),
    ("Qu'est-ce qu'un budget ?",
     "Un budget est un plan qui prévoit les recettes et les dépenses sur une période donnée."),
    ("Que signifie « faire la grasse matinée » ?", "C'est rester au lit tard le matin."),
    # Grammaire et langue
    ("Quel est le pluriel de « cheval » ?", "Le pluriel de « cheval » est « chevaux »."),
    ("Quel est le pluriel de « bijou » ?",
     "On écrit « bijoux », avec un x, comme caillou, chou, genou, hibou, joujou et pou."),
    ("Quand faut-il écrire « a » ou « à » ?",
     "« a » est le verbe avoir : on peut le remplacer par « avait » (« il a faim »). « à » est une préposition qu'on ne peut pas remplacer ainsi (« je vais à Lyon »)."),
    ("Quelle est la différence entre « quand » et « quant » ?",
     "« Quand » indique le temps (« Quand pars-tu ? ») ; « quant » ne s'emploie que dans « quant à », qui veut dire « en ce qui concerne » (« Quant à moi, je reste »)."),
    ("Comment conjugue-t-on « faire » avec « nous » au présent ?", "On dit « nous faisons »."),
    ("Quel est le participe passé du verbe « naître » ?",
     "Le participe passé de « naître » est « né » : « elle est née en mai »."),
    ("Faut-il écrire « je me suis levé » ou « je me suis levée » ?",
     "Cela dépend de qui parle : un homme écrit « je me suis levé », une femme « je me suis levée », car le participe s'accorde ici avec le sujet."),
    ("Peut-on dire « malgré que » ?",
     "Il vaut mieux éviter « malgré que » et dire « bien que » suivi du subjonctif, ou « malgré » suivi d'un nom : « malgré la pluie »."),
    ("Après « après que », faut-il le subjonctif ?",
     "Non : selon la règle, « après que » est suivi de l'indicatif, par exemple « après qu'il est parti »."),
    ("Quel est le féminin de « loup » ?", "Le féminin de « loup » est « louve »."),
    ("Comment conjuguer « aller » au futur avec « je » ?", "On dit « j'irai »."),
    ("Quel est le subjonctif présent de « faire » à la première personne du singulier ?",
     "C'est « que je fasse »."),
    ("« Cent » prend-il un s dans « trois cents euros » ?",
     "Oui : « cent » prend un s quand il est multiplié et n'est suivi d'aucun autre nombre. On écrit donc « trois cents euros » mais « trois cent deux euros »."),
    ("Comment écrit-on « demi » dans « une heure et demie » ?",
     "Après le nom, « demi » s'accorde en genre : « une heure et demie ». Avant le nom, il reste invariable et prend un trait d'union : « une demi-heure »."),
    ("Quelle est la différence entre « davantage » et « d'avantage » ?",
     "« Davantage » signifie « plus » (« il en veut davantage ») ; « d'avantage » est la préposition « de » suivie du nom « avantage » (« il n'en tire pas d'avantage »)."),
    ("Dit-on « se rappeler de quelque chose » ?",
     "La forme recommandée est « se rappeler quelque chose », sans « de » : « je me rappelle cette histoire ». On dit en revanche « se souvenir de »."),
    ("Quel est le pluriel de « festival » ?",
     "On écrit « festivals », comme bal, carnaval, chacal et récital."),
    ("Comment accorder « tout » dans « elles sont tout étonnées » ?",
     "Devant un adjectif féminin qui commence par une voyelle ou un h muet, « tout » reste invariable : « elles sont tout étonnées ». Devant une consonne, il s'accorde : « elles sont toutes contentes »."),
    ("Quel temps utilise-t-on après « si » pour exprimer une hypothèse ?",
     "Après ce « si », on n'emploie pas le conditionnel mais l'imparfait : « si j'avais le temps, je viendrais »."),
    ("Quelle est la différence entre « censé » et « sensé » ?",
     "« Censé » signifie « supposé » (« il est censé venir ») ; « sensé » signifie « qui a du bon sens » (« une idée sensée »)."),
    ("Comment conjuguer « mettre » au passé composé avec « nous » ?", "On dit « nous avons mis »."),
    ("Pourquoi écrit-on « ils ont mangé » mais « ils sont partis » ?",
     "« Manger » forme son passé composé avec « avoir », et le participe ne s'accorde pas avec le sujet ; « partir » se conjugue avec « être », et le participe s'accorde avec le sujet."),
    ("Quel est l'infinitif de « nous buvons » ?", "C'est le verbe « boire »."),
    ("Doit-on écrire « quelque » ou « quel que » dans « ___ soit le temps » ?",
     "On écrit « quel que soit le temps » : devant le verbe être au subjonctif, « quel » s'accorde avec le sujet et « que » est séparé."),
    ("Quel est le pluriel de « un porte-monnaie » ?",
     "Depuis les rectifications de 1990, on écrit « des porte-monnaies » ; l'ancienne forme « des porte-monnaie » reste admise."),
    ("Comment forme-t-on l'adverbe à partir de « doux » ?",
     "On part du féminin « douce » et on ajoute « -ment » : « doucement »."),
    ("Quel est le passé simple de « être » à la troisième personne du singulier ?",
     "C'est « il fut » (ou « elle fut »)."),
    ("Faut-il écrire « c'est » ou « s'est » dans « il ___ trompé » ?",
     "On écrit « il s'est trompé », car c'est le verbe pronominal « se tromper » au passé composé."),
    ("Faut-il dire « au jour d'aujourd'hui » ?",
     "C'est un pléonasme : il suffit de dire « aujourd'hui » ou « à l'heure actuelle »."),
    ("Mets au passé composé : « Je mange une pomme. »", "« J'ai mangé une pomme. »"),
    ("Mets au futur : « Nous partons en vacances. »", "« Nous partirons en vacances. »"),
    ("Corrige la phrase : « Les enfants joue dans le jardin. »",
     "La phrase correcte est « Les enfants jouent dans le jardin. » : le verbe s'accorde avec le sujet pluriel."),
    ("Corrige : « Je suis allé au magasin hier et j'ai acheter du pain. »",
     "« Je suis allé au magasin hier et j'ai acheté du pain. » Après l'auxiliaire avoir, on écrit le participe passé « acheté »."),
    ("Mets cette phrase au pluriel : « Le chat dort sur le canapé. »",
     "« Les chats dorment sur le canapé. »"),
    ("Donne un exemple de phrase interrogative.",
     "« As-tu fini tes devoirs ? » est une phrase interrogative : elle pose une question et se termine par un point d'interrogation."),
    ("Reformule plus poliment : « Envoie-moi le fichier. »",
     "« Pourriez-vous m'envoyer le fichier, s'il vous plaît ? »"),
    ("Quelle est la différence entre « tu » et « vous » ?",
     "« Tu » s'emploie avec les proches et les enfants ; « vous » sert à vouvoyer une personne qu'on connaît peu ou par politesse, et à s'adresser à plusieurs personnes."),
    ("Peux-tu me donner un mot qui rime avec « chanson » ?", "Par exemple « leçon », « garçon » ou « poisson »."),
    ("Écris une phrase avec le mot « parapluie ».",
     "Comme le ciel était gris, j'ai glissé un parapluie dans mon sac avant de partir."),
    # Connaissances générales
    ("Combien de jours compte février lors d'une année bissextile ?", "Il compte 29 jours."),
    ("Quelle est la capitale de la Norvège ?", "La capitale de la Norvège est Oslo."),
    ("Quelle est la capitale du Sénégal ?", "La capitale du Sénégal est Dakar."),
    ("Qui a écrit « Le Comte de Monte-Cristo » ?",
     "C'est Alexandre Dumas, qui l'a écrit avec la collaboration d'Auguste Maquet."),
    ("Qui a découvert la pénicilline ?", "Alexander Fleming, en 1928."),
    ("Quel est le plus grand désert chaud du monde ?", "Le Sahara est le plus grand désert chaud du monde."),
    ("Combien de planètes compte le système solaire ?", "Le système solaire compte huit planètes."),
    ("Quelle est la formule chimique de l'eau ?",
     "C'est H2O : deux atomes d'hydrogène et un atome d'oxygène."),
    ("Qui a peint « Impression, soleil levant » ?", "Claude Monet, en 1872."),
    ("Quel organe nous permet de respirer ?", "Ce sont les poumons."),
    ("Pourquoi beaucoup d'arbres perdent-ils leurs feuilles en automne ?",
     "Quand les jours raccourcissent et que le froid arrive, ces arbres cessent d'alimenter leurs feuilles pour économiser l'eau et l'énergie, et les feuilles se détachent."),
    ("Quelle est la vitesse de la lumière ?",
     "Dans le vide, environ 300 000 kilomètres par seconde (exactement 299 792 458 mètres par seconde)."),
    ("Quel est le plus haut sommet du monde ?", "L'Everest, qui culmine à environ 8 849 mètres."),
    ("Combien de cordes a une guitare classique ?", "Une guitare classique a six cordes."),
    ("Qui a écrit la fable « Le Corbeau et le Renard » ?", "Jean de La Fontaine."),
    ("Avec quoi les abeilles fabriquent-elles le miel ?",
     "Surtout avec le nectar des fleurs, qu'elles transforment puis stockent dans les alvéoles de la ruche."),
    ("Quelle langue parle-t-on principalement en Argentine ?", "On y parle principalement l'espagnol."),
    ("Combien de temps la Lune met-elle pour faire le tour de la Terre ?",
     "Environ 27 jours et 8 heures ; le cycle complet des phases dure environ 29,5 jours."),
    ("Quel est le plus grand pays du monde par sa superficie ?", "C'est la Russie."),
    ("Qu'est-ce qu'une éclipse de Soleil ?",
     "C'est le moment où la Lune passe entre la Terre et le Soleil et cache tout ou partie du disque solaire."),
    ("Quel métal est liquide à température ambiante ?", "Le mercure."),
    ("Quelle est la monnaie du Royaume-Uni ?", "C'est la livre sterling."),
    ("Combien de joueurs une équipe de rugby à XV aligne-t-elle sur le terrain ?", "Quinze joueurs."),
    ("Qui était Marie Curie ?",
     "Une physicienne et chimiste née en Pologne et naturalisée française, pionnière de l'étude de la radioactivité et deux fois prix Nobel (physique en 1903, chimie en 1911)."),
    ("Quel est l'animal terrestre le plus rapide ?",
     "Le guépard, qui peut dépasser 100 km/h sur de courtes distances."),
    ("Combien de dents a un adulte ?", "Un adulte a en général 32 dents, dents de sagesse comprises."),
    ("Quel fleuve traverse Paris ?", "C'est la Seine."),
    ("Dans quel océan se trouve Madagascar ?", "Dans l'océan Indien."),
    ("Qui a mis au point l'imprimerie à caractères mobiles en Europe ?", "Johannes Gutenberg, vers 1450."),
    ("Quelle est la capitale de l'Australie ?", "C'est Canberra, et non Sydney comme on le croit souvent."),
    ("Quel élément chimique a pour symbole O ?", "L'oxygène."),
    ("Quelle est la plus grande planète du système solaire ?", "Jupiter."),
    ("Qu'est-ce que le PIB ?",
     "Le produit intérieur brut mesure la valeur de tous les biens et services produits dans un pays pendant une période donnée, en général un an."),
    ("Qui a composé « Les Quatre Saisons » ?", "Antonio Vivaldi."),
    ("À quoi sert la chlorophylle ?",
     "La chlorophylle est le pigment qui capte l'énergie de la lumière pour la photosynthèse."),
    ("Quel est le plus long fleuve d'Afrique ?", "Le Nil."),
    ("Combien d'angles droits a un rectangle ?", "Un rectangle a quatre angles droits."),
    ("Qu'est-ce qu'une année-lumière ?",
     "C'est la distance parcourue par la lumière dans le vide en un an, soit environ 9 460 milliards de kilomètres."),
    # Conseils
    ("Comment mieux dormir ?",
     "Couchez-vous et levez-vous à heures régulières, évitez les écrans et la caféine le soir, et gardez votre chambre fraîche, sombre et calme."),
    ("Comment réviser efficacement un examen ?",
     "Répartissez vos révisions sur plusieurs jours, testez-vous avec des questions plutôt que de simplement relire, et faites de courtes pauses régulières."),
    ("Comment mettre un peu d'argent de côté chaque mois ?",
     "Notez vos dépenses pour repérer celles qui sont inutiles, fixez-vous un budget et mettez de côté une somme fixe dès que vous recevez votre salaire."),
    ("Comment rester motivé pour faire du sport ?",
     "Choisissez une activité qui vous plaît, fixez-vous des objectifs modestes et précis, et prévoyez des séances à heures fixes, si possible avec un ami."),
    ("Que faire si je n'arrive pas à me concentrer ?",
     "Éloignez votre téléphone, travaillez par blocs de 25 minutes suivis de courtes pauses, et commencez par une tâche simple pour vous lancer."),
    ("Comment préparer un entretien d'embauche ?",
     "Renseignez-vous sur l'entreprise, préparez des exemples concrets de vos réussites et entraînez-vous à présenter votre parcours en deux minutes."),
    ("Comment apprendre une langue étrangère plus vite ?",
     "Pratiquez un peu chaque jour, écoutez des contenus qui vous intéressent dans cette langue et parlez dès que possible, même avec des erreurs."),
    ("Comment réduire mon stress ?",
     "Respirez lentement pendant quelques minutes, bougez chaque jour, dormez suffisamment et parlez de ce qui vous pèse à une personne de confiance."),
    ("Comment garder une plante d'intérieur en bonne santé ?",
     "Placez-la à un endroit assez lumineux, arrosez-la seulement quand la terre est sèche en surface et utilisez un pot percé pour que l'eau s'écoule."),
    ("Comment faire bonne impression lors d'une première rencontre ?",
     "Souriez, regardez la personne dans les yeux, retenez son prénom et montrez un intérêt sincère en lui posant des questions."),
    ("Comment rédiger un bon courriel professionnel ?",
     "Choisissez un objet clair, allez droit au but en quelques phrases, restez courtois et terminez par une formule de politesse et votre signature."),
    ("Que faire en cas de petite brûlure ?",
     "Passez la zone sous l'eau tempérée pendant une quinzaine de minutes, puis protégez-la avec un pansement propre ; consultez un médecin si la brûlure est étendue ou profonde."),
    ("Comment ranger efficacement une maison ?",
     "Procédez pièce par pièce, triez les objets en trois tas (garder, donner, jeter) et donnez à chaque chose une place précise."),
    ("Comment mieux gérer mon temps ?",
     "Listez vos tâches, classez-les par importance et par urgence, puis réservez dans votre agenda des créneaux pour les plus importantes."),
    ("Comment aider un ami qui traverse une période difficile ?",
     "Écoutez-le sans le juger, proposez-lui une aide concrète et restez présent dans la durée ; s'il va très mal, encouragez-le à consulter un professionnel."),
    ("Comment choisir un mot de passe solide ?",
     "Utilisez une longue phrase de passe composée d'au moins quatre mots sans rapport entre eux, différente pour chaque site, et servez-vous d'un gestionnaire de mots de passe."),
    ("Comment manger plus sainement ?",
     "Mangez davantage de légumes, de fruits et de légumineuses, limitez les produits très transformés et les boissons sucrées, et cuisinez vous-même quand c'est possible."),
    ("Comment parler en public sans trop stresser ?",
     "Préparez bien votre message, répétez-le plusieurs fois à voix haute et respirez lentement avant de commencer ; le trac diminue avec l'expérience."),
    ("Comment économiser l'eau à la maison ?",
     "Prenez des douches courtes, réparez les fuites, fermez le robinet pendant le brossage des dents et lancez le lave-linge seulement quand il est plein."),
    ("Comment bien commencer la journée ?",
     "Levez-vous à heure fixe, buvez un verre d'eau, prenez un petit déjeuner simple et prenez quelques minutes pour fixer vos priorités."),
    ("Comment conserver le pain plus longtemps ?",
     "Gardez-le dans un sac en tissu ou une boîte à pain, à température ambiante, ou congelez-le en tranches."),
    ("Comment donner un avis négatif avec tact ?",
     "Commencez par un point positif, décrivez des faits précis plutôt que la personne, puis proposez une piste d'amélioration."),
    ("Comment passer moins de temps sur mon téléphone ?",
     "Désactivez les notifications non essentielles, laissez le téléphone hors de la chambre la nuit et fixez-vous des plages horaires sans écran."),
    ("Comment bien s'hydrater en été ?",
     "Buvez régulièrement sans attendre d'avoir soif, privilégiez l'eau, mangez des fruits et légumes riches en eau et évitez l'alcool aux heures chaudes."),
    ("Comment demander une augmentation ?",
     "Préparez des exemples chiffrés de vos résultats, renseignez-vous sur les salaires pratiqués et demandez un rendez-vous consacré à ce sujet."),
    ("Comment se faire des amis dans une nouvelle ville ?",
     "Inscrivez-vous à une activité régulière (club, association, cours), acceptez les invitations et reprenez contact avec les personnes rencontrées."),
    ("Comment éviter le gaspillage alimentaire ?",
     "Faites une liste de courses, placez devant les produits les plus anciens, congelez les restes et transformez les légumes un peu fatigués en soupe."),
    ("Comment retenir ce que je lis ?",
     "Résumez chaque chapitre en quelques phrases, notez les idées clés et essayez de les expliquer à quelqu'un d'autre."),
    ("Comment récupérer plus vite du décalage horaire ?",
     "Adoptez tout de suite les horaires du pays d'arrivée, exposez-vous à la lumière du jour le matin et évitez les longues siestes."),
    # Questions pratiques et calcul
    ("Comment faire cuire des pâtes ?",
     "Portez une grande casserole d'eau salée à ébullition, ajoutez les pâtes, remuez et laissez cuire le temps indiqué sur le paquet, puis égouttez-les."),
    ("Comment faire une vinaigrette simple ?",
     "Mélangez une cuillerée de moutarde et une cuillerée de vinaigre avec du sel et du poivre, puis ajoutez trois cuillerées d'huile en fouettant."),
    ("Combien y a-t-il de grammes dans un kilogramme ?", "Un kilogramme vaut 1 000 grammes."),
    ("Combien font 15 % de 200 ?", "15 % de 200 font 30."),
    ("Comment calculer l'aire d'un rectangle ?",
     "On multiplie la longueur par la largeur : un rectangle de 5 m sur 3 m a une aire de 15 m²."),
    ("Combien de centimètres y a-t-il dans un mètre ?", "Un mètre contient 100 centimètres."),
    ("Comment faire un œuf dur ?",
     "Plongez l'œuf dans l'eau bouillante pendant 9 à 10 minutes, puis refroidissez-le dans l'eau froide avant de l'écaler."),
    ("Combien font 12 fois 12 ?", "12 fois 12 font 144."),
    ("Comment enlever une tache de café sur un vêtement ?",
     "Rincez vite la tache à l'eau froide par l'envers, frottez doucement avec un peu de savon, puis lavez le vêtement normalement."),
    ("Comment calcule-t-on une moyenne ?",
     "On additionne toutes les valeurs puis on divise la somme par leur nombre : la moyenne de 8, 10 et 12 est 10."),
    ("Quelle est la racine carrée de 81 ?", "La racine carrée de 81 est 9."),
    ("Combien de minutes y a-t-il dans trois heures ?", "Il y a 180 minutes dans trois heures."),
    ("Comment convertir des degrés Celsius en degrés Fahrenheit ?",
     "On multiplie par 9/5 puis on ajoute 32 : 20 °C correspondent à 68 °F."),
    ("Comment calculer un pourcentage d'augmentation ?",
     "On divise la différence entre la nouvelle et l'ancienne valeur par l'ancienne valeur, puis on multiplie par 100 : passer de 50 à 60, c'est une hausse de 20 %."),
    ("Comment écrit-on 1 500 en chiffres romains ?", "On écrit MD : M vaut 1 000 et D vaut 500."),
    ("Quelle heure sera-t-il 45 minutes après 14 h 30 ?", "Il sera 15 h 15."),
    ("Combien font 100 divisé par 8 ?", "100 divisé par 8 font 12,5."),
    ("Comment dit-on « merci » en espagnol ?", "On dit « gracias »."),
    ("Comment dit-on « I am hungry » en français ?", "On dit « J'ai faim »."),
    ("Donne-moi trois fruits rouges.", "La fraise, la framboise et la cerise."),
]

# --------------------------------------------------------------------------------------------
# English replay: general knowledge and small instructions, to limit forgetting.
# --------------------------------------------------------------------------------------------

REPLAY_EN: list[tuple[str, str]] = [
    ("What is the chemical symbol for sodium?", "The chemical symbol for sodium is Na."),
    ("How many sides does an octagon have?", "An octagon has eight sides."),
    ("Who developed the theory of general relativity?", "Albert Einstein, who published it in 1915."),
    ("What is the capital of Canada?", "The capital of Canada is Ottawa."),
    ("What is the freezing point of water in Fahrenheit?", "Water freezes at 32 degrees Fahrenheit."),
    ("Which gas do plants absorb from the air to grow?", "Plants absorb carbon dioxide."),
    ("What is the longest river in South America?", "The Amazon."),
    ("Who wrote 'Pride and Prejudice'?", "Jane Austen; it was first published in 1813."),
    ("What is the hardest natural substance?", "Diamond."),
    ("What does a thermometer measure?", "A thermometer measures temperature."),
    ("What is the currency of Switzerland?", "The Swiss franc."),
    ("How many hours are there in a week?", "There are 168 hours in a week."),
    ("Which organ filters the blood to make urine?", "The kidneys."),
    ("What is the smallest prime number?", "2 is the smallest prime number."),
    ("Which planet is famous for its large rings?", "Saturn."),
    ("In which year did World War II end?", "World War II ended in 1945."),
    ("What is the capital of Kenya?", "The capital of Kenya is Nairobi."),
    ("What is the boiling point of water at sea level in Celsius?", "100 degrees Celsius."),
    ("What do bees make?", "Bees make honey and beeswax."),
    ("What is the largest country in South America?", "Brazil."),
    ("What is gravity?",
     "Gravity is the force by which objects with mass attract one another; it keeps us on the ground and the planets in orbit around the Sun."),
    ("Who painted 'The Starry Night'?", "Vincent van Gogh, in 1889."),
    ("Roughly how fast does sound travel in air?", "About 343 meters per second at 20 °C."),
    ("What is H2O?", "H2O is the chemical formula for water."),
    ("What is the tallest animal?", "The giraffe."),
    ("What is the square root of 64?", "The square root of 64 is 8."),
    ("What is the main ingredient in guacamole?", "Avocado."),
    ("How many players does a basketball team have on the court?", "Five players per team."),
    ("What is the capital of Argentina?", "Buenos Aires."),
    ("Who is credited with inventing the telephone?",
     "Alexander Graham Bell, who received the patent in 1876."),
    ("What is the largest organ of the human body?", "The skin."),
    ("Which language has the most native speakers?", "Mandarin Chinese."),
    ("What causes day and night?",
     "The Earth's rotation on its axis: the side facing the Sun has day while the other side has night."),
    ("What is 25% of 200?", "25% of 200 is 50."),
    ("What are the three common states of matter?", "Solid, liquid and gas."),
    ("Which vitamin are oranges and lemons rich in?", "Vitamin C."),
    ("What is a noun?", "A noun is a word that names a person, place, thing or idea, such as 'teacher', 'city' or 'freedom'."),
    ("What is a verb?", "A verb is a word that expresses an action or a state, such as 'run', 'think' or 'be'."),
    ("What is the past tense of 'go'?", "The past tense of 'go' is 'went'."),
    ("What is the plural of 'mouse'?", "The plural of 'mouse' is 'mice'."),
    ("How many centimeters are in an inch?", "One inch is 2.54 centimeters."),
    ("How many meters are in a kilometer?", "There are 1,000 meters in a kilometer."),
    ("What is the chemical symbol for iron?", "Fe."),
    ("What is the closest star to Earth?",
     "The Sun. After it, the closest star is Proxima Centauri, about 4.2 light-years away."),
    ("What is the capital of Poland?", "Warsaw."),
    ("Who wrote 'Hamlet'?", "William Shakespeare."),
    ("What do red blood cells do?", "They carry oxygen from the lungs to the rest of the body."),
    ("What is an atom?",
     "An atom is the smallest unit of a chemical element: a nucleus of protons and neutrons surrounded by electrons."),
    ("How many strings does a violin have?", "A violin has four strings."),
    ("What is the largest hot desert in the world?", "The Sahara."),
    ("Give me three synonyms for 'big'.", "Large, huge and enormous."),
    ("Rewrite in the past tense: 'She walks to school.'", "She walked to school."),
    ("Correct the grammar: 'He don't like apples.'", "He doesn't like apples."),
    ("Sort these numbers from smallest to largest: 9, 2, 7, 4.", "2, 4, 7, 9."),
    ("In one sentence, why is exercise good for you?",
     "Regular exercise strengthens the heart and muscles, improves mood and sleep, and lowers the risk of many diseases."),
    ("Translate 'thank you' into French.", "Merci."),
    ("Translate 'good night' into Spanish.", "Buenas noches."),
    ("What is 15 multiplied by 4?", "60."),
    ("What is 144 divided by 12?", "12."),
    ("List the days of the week.", "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday and Sunday."),
    ("What are the traditional primary colors in painting?", "Red, yellow and blue."),
    ("Make this more formal: 'Can you send me the stuff?'", "Could you please send me the materials?"),
    ("Give an example of a simile.",
     "'Her smile was as bright as the sun' is a simile: it compares two things using 'as' or 'like'."),
    ("Write a short, polite email declining a meeting.",
     "Dear Ms Brown, thank you for the invitation. Unfortunately I'm not available at that time, but I'd be glad to meet later in the week. Best regards, Sam"),
    ("Turn this into a question: 'The store opens at nine.'", "Does the store open at nine?"),
    ("How many vowels are in the word 'education'?", "Five: e, u, a, i and o."),
    ("What is the next number in the sequence 2, 4, 8, 16?", "32, because each number doubles."),
    ("Give me a word that rhymes with 'cat'.", "Hat."),
    ("How do you spell 'necessary'?", "N-E-C-E-S-S-A-R-Y: one c and two s's."),
    ("What is the opposite of 'generous'?", "Stingy."),
    ("Rewrite in the passive voice: 'The chef cooked the meal.'", "The meal was cooked by the chef."),
    ("Write a haiku about the sea.", "Waves fold into foam\nsalt wind carries gull voices\nthe tide breathes and turns"),
    ("Explain what a budget is in one sentence.",
     "A budget is a plan for how much money you expect to earn and spend over a set period."),
    ("Convert 3 hours into minutes.", "3 hours is 180 minutes."),
    ("Name three renewable energy sources.", "Solar, wind and hydroelectric power."),
    ("Give two tips for writing a good CV.",
     "Keep it short and clear, ideally one or two pages, and describe your achievements with concrete results rather than listing duties."),
    ("What's a polite way to interrupt someone in a meeting?",
     "Wait for a short pause and say, 'Sorry to interrupt, may I add something quickly?'"),
    ("Classify as fruit or vegetable: apple, carrot, banana, broccoli.",
     "Fruits: apple and banana. Vegetables: carrot and broccoli."),
    ("Summarize 'The Tortoise and the Hare' in one sentence.",
     "A boastful hare naps during a race against a slow tortoise, who keeps going steadily and wins, showing that persistence beats overconfidence."),
    ("Capitalize this title correctly: 'the old man and the sea'.", "The Old Man and the Sea."),
    ("Is 17 a prime number?", "Yes, 17 is prime: its only divisors are 1 and 17."),
    ("What is the area of a square with 5 cm sides?", "25 square centimeters."),
    ("What is the perimeter of a rectangle 4 m long and 3 m wide?", "14 meters."),
    ("Give me an antonym of 'difficult'.", "Easy."),
    ("Write a sentence using the word 'curious'.", "The curious kitten sniffed every box in the new apartment."),
    ("Put these words in alphabetical order: pear, apple, mango, cherry.", "Apple, cherry, mango, pear."),
    ("How do you make a cup of tea?",
     "Pour boiling water over a tea bag or loose tea, let it steep for three to five minutes, then remove the tea and add milk or sugar if you like."),
    ("Suggest a healthy breakfast.", "Oatmeal with fresh fruit and a handful of nuts, with a glass of water or a cup of tea."),
    ("How can I improve my handwriting?", "Write slowly, hold the pen loosely, and practise a few lines of letters every day."),
    ("What is the difference between 'their', 'there' and 'they're'?",
     "'Their' shows possession (their car), 'there' refers to a place (over there), and 'they're' is short for 'they are'."),
    ("What is the difference between 'affect' and 'effect'?",
     "'Affect' is usually a verb meaning to influence, while 'effect' is usually a noun meaning a result."),
    ("Give me a fun fact about octopuses.", "An octopus has three hearts and blue blood."),
    ("How many seconds are in five minutes?", "300 seconds."),
    ("Round 3.786 to two decimal places.", "3.79."),
    ("Write 0.75 as a fraction.", "3/4."),
    ("What is 7 squared?", "49."),
    ("What is the plural of 'child'?", "Children."),
    ("Combine into one sentence: 'It was raining. We stayed inside.'", "Because it was raining, we stayed inside."),
    ("What does 'ASAP' stand for?", "As soon as possible."),
    ("What does 'CPU' stand for?", "Central processing unit."),
    ("Suggest a name for a bakery.", "How about 'The Golden Crust'?"),
    ("Give me a short motivational quote of your own.",
     "Small steps taken every day add up to distances you never thought you could cover."),
    ("How do I politely ask for a deadline extension?",
     "Explain briefly why you need more time, propose a specific new date, and thank the person for considering it."),
    ("What should I pack for a day at the beach?", "Sunscreen, a hat, sunglasses, a towel, water and a snack."),
    ("Describe the color blue in one sentence.", "Blue is the cool, calm color of a clear daytime sky and deep ocean water."),
    ("Turn this list into a sentence: eggs, flour, sugar.", "We need eggs, flour and sugar."),
    ("Give an example of a compound word.", "'Sunflower' is a compound word made from 'sun' and 'flower'."),
    ("What is the comparative form of 'good'?", "Better."),
    ("What is the superlative form of 'bad'?", "Worst."),
    ("Fix the typo: 'I recieved your letter.'", "I received your letter."),
    ("Explain recycling to a child in one sentence.",
     "Recycling means turning old things like bottles and paper into new things, so we throw away less and save resources."),
    ("How long should I boil an egg for a runny yolk?",
     "About six minutes in already boiling water gives a set white and a runny yolk."),
    ("How do I convert kilometers to miles?",
     "Multiply the number of kilometers by about 0.621; for example, 10 km is about 6.2 miles."),
    ("What does 'procrastinate' mean?", "To procrastinate is to keep putting off something you should do."),
    ("Name three countries in Asia.", "India, Japan and Vietnam."),
    ("Name the four seasons.", "Spring, summer, autumn (or fall) and winter."),
    ("What is a synonym for 'quick'?", "Fast."),
    ("Give me a simple definition of 'democracy'.",
     "Democracy is a system of government in which the people choose their leaders, usually through free elections."),
    ("What does a password manager do?",
     "It stores your passwords in an encrypted vault and can generate strong, unique ones, so you only need to remember one master password."),
    ("What is the difference between a virus and a bacterium?",
     "A bacterium is a single-celled living organism that can reproduce on its own, while a virus is much smaller and can only multiply inside the cells of a host."),
    ("What is 1,000 minus 357?", "643."),
    ("How many zeros are in one million?", "Six: 1,000,000."),
    ("Write a title for a blog post about saving money.", "Ten Small Habits That Quietly Grow Your Savings."),
    ("Translate 'Where is the station?' into French.", "Où est la gare ?"),
    ("Hello!", "Hello! How can I help you today?"),
    ("Thanks for your help.", "You're welcome! Let me know if you need anything else."),
    ("Introduce yourself in one sentence.",
     "I'm a helpful assistant that can answer questions, explain ideas and help with everyday tasks."),
    ("Good morning!", "Good morning! I hope your day is off to a good start. What can I do for you?"),
    ("Tell me something interesting.",
     "Sealed honey can stay edible for a very long time, because it holds little water and is slightly acidic."),
    ("What is the difference between a lake and a sea?",
     "A lake is a body of water surrounded by land, usually fresh water, while a sea is a large body of salt water connected to an ocean."),
    ("Give me two ways to save energy at home.",
     "Switch off lights and devices you are not using, and lower the heating by a degree or two."),
    ("What is a leap year?",
     "A leap year has 366 days instead of 365, with an extra day on February 29; it comes roughly every four years."),
    ("What does 'e.g.' mean?", "'E.g.' means 'for example'; it comes from the Latin 'exempli gratia'."),
    ("Explain what an adjective is.", "An adjective is a word that describes a noun, such as 'red', 'tall' or 'happy'."),
    ("How many weeks are in a year?", "A year has 52 weeks plus one or two days."),
    ("What is the opposite of 'arrive'?", "Leave (or depart)."),
    ("What is 8 times 9?", "72."),
    ("What is half of 250?", "125."),
    ("Rewrite more simply: 'Please utilize the stairway in the event of a fire.'", "Use the stairs if there is a fire."),
    ("Why do we have seasons?",
     "Because the Earth's axis is tilted: as the planet orbits the Sun, each hemisphere in turn receives more direct sunlight and longer days."),
    ("What is the main job of the heart?", "To pump blood around the body."),
    ("What is a paragraph?", "A paragraph is a group of sentences about one main idea, usually starting on a new line."),
    ("Give an example of a polite request.", "Could you please close the window?"),
    ("Which is heavier, a kilogram of feathers or a kilogram of iron?", "Neither: they both weigh one kilogram."),
    ("What is a vertebrate?", "A vertebrate is an animal with a backbone, such as a fish, bird, reptile, amphibian or mammal."),
    ("What is the capital of Sweden?", "Stockholm."),
    ("What is 9 plus 16?", "25."),
    ("Name a mammal that can fly.", "The bat."),
    ("Give a synonym for 'begin'.", "Start."),
    ("Which ocean lies between Europe and North America?", "The Atlantic Ocean."),
]

# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{(\w+):(\w+)\}")


def tool_schema(name: str, lang: str) -> dict[str, Any]:
    """OpenAI-style tool definition with descriptions in ``lang``."""
    spec = TOOLS[name]
    i = 0 if lang == "en" else 1
    props = {p: {**schema, "description": (d_en, d_fr)[i]}
             for p, (schema, d_en, d_fr) in spec["params"].items()}
    return {"type": "function",
            "function": {"name": name, "description": spec["desc"][i],
                         "parameters": {"type": "object", "properties": props,
                                        "required": list(spec["required"])}}}


def render(phrasing: str | tuple[str, dict[str, Any]], ctx: Ctx) -> tuple[str, dict[str, Any]]:
    """Fill a phrasing's placeholders; return the request text and the arguments drawn."""
    text, const = (phrasing, {}) if isinstance(phrasing, str) else phrasing
    args: dict[str, Any] = {}

    def fill(m: re.Match[str]) -> str:
        surface, value = KINDS[m.group(2)](ctx)
        args[m.group(1)] = value
        return surface

    return PLACEHOLDER.sub(fill, text), {**args, **const}


def ordered(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments in the order of the tool's properties."""
    return {p: args[p] for p in TOOLS[name]["params"] if p in args}


def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "arguments": ordered(name, args)}}


def check_call(name: str, args: dict[str, Any], request: str) -> None:
    """Cheap guard (the tests run the full JSON Schema validation)."""
    params = TOOLS[name]["params"]
    assert set(args) <= set(params), (name, args)
    assert set(TOOLS[name]["required"]) <= set(args), (name, args, request)
    for key, value in args.items():
        schema = params[key][0]
        if "enum" in schema:
            assert value in schema["enum"], (name, key, value)
        if schema.get("type") == "string" and "enum" not in schema and "format" not in schema \
                and "pattern" not in schema:
            assert value in request, (name, key, value, request)  # literally in the request


def one_call(name: str, ctx: Ctx) -> tuple[str, list[dict[str, Any]]]:
    text, args = render(ctx.rng.choice(TOOLS[name][ctx.lang]), ctx)
    check_call(name, args, text)
    return text, [call(name, args)]


def same_tool_pair(name: str, ctx: Ctx) -> tuple[str, list[dict[str, Any]]]:
    text, args = render(ctx.rng.choice(TOOLS[name][f"par_{ctx.lang}"]), ctx)
    shared = {k: v for k, v in args.items() if not re.search(r"__\d$", k)}
    calls = []
    for i in ("1", "2"):
        own = {k[:-3]: v for k, v in args.items() if k.endswith(f"__{i}")}
        check_call(name, {**shared, **own}, text)
        calls.append(call(name, {**shared, **own}))
    return text, calls


def offered(rng: random.Random, targets: list[str], lang: str, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The target tools plus distractors, 1 to 4 tools in all, in random order."""
    total = max(len(targets), rng.choice([1, 2, 2, 3, 3, 4]))
    others = [t for t in TOOLS if t not in targets and t not in exclude]
    names = targets + rng.sample(others, total - len(targets))
    rng.shuffle(names)
    return [tool_schema(n, lang) for n in names]


def build_fc(lang: str, rng: random.Random) -> list[dict[str, Any]]:
    plan = (["irrelevant"] * N_IRRELEVANT + ["par_same"] * N_PARALLEL_SAME
            + ["par_cross"] * N_PARALLEL_CROSS)
    plan += ["single"] * (N_FC - len(plan))
    rng.shuffle(plan)
    names = list(TOOLS)
    singles = [names[i % len(names)] for i in range(plan.count("single"))]
    rng.shuffle(singles)
    par_tools = [n for n in names if f"par_{lang}" in TOOLS[n]]
    irrelevant = rng.sample(IRRELEVANT[lang], N_IRRELEVANT)
    seen: set[str] = set()
    records = []
    for i, kind in enumerate(plan, 1):
        for _attempt in range(50):
            ctx = Ctx(rng, lang)
            if kind == "irrelevant":
                request, answer, exclude = irrelevant.pop()
                tools = offered(rng, [], lang, exclude)
                reply: dict[str, Any] = {"role": "assistant", "content": answer}
                break
            if kind == "single":
                targets = [singles[-1]]
                request, calls = one_call(targets[0], ctx)
            elif kind == "par_same":
                targets = [par_tools[i % len(par_tools)]]
                request, calls = same_tool_pair(targets[0], ctx)
            else:
                targets = rng.sample(names, 2)
                (text_a, calls_a), (text_b, calls_b) = one_call(targets[0], ctx), one_call(targets[1], ctx)
                request = rng.choice(CONNECTORS[lang]).format(a=text_a, b=text_b)
                calls = calls_a + calls_b
            if request not in seen:
                if kind == "single":
                    singles.pop()
                tools = offered(rng, targets, lang)
                reply = {"role": "assistant", "content": "", "tool_calls": calls}
                break
        else:
            raise RuntimeError(f"could not draw a new {kind} request for {lang}")
        seen.add(request)
        messages = []
        if rng.random() < P_SYSTEM:
            messages.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS[lang])})
        messages += [{"role": "user", "content": request}, reply]
        records.append({"id": f"fc_{lang}-{i:04d}", "tools": tools, "messages": messages})
    return records


def build_chat(prefix: str, pairs: list[tuple[str, str]], rng: random.Random) -> list[dict[str, Any]]:
    order = list(pairs)
    rng.shuffle(order)
    assert len({q for q, _ in order}) == len(order), f"duplicate question in {prefix}"
    return [{"id": f"{prefix}-{i:04d}",
             "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
            for i, (q, a) in enumerate(order, 1)]


def build_abstain(lang: str, pairs: list[tuple[str, str]], rng: random.Random) -> list[dict[str, Any]]:
    """Abstention: a chat question with 1 to 4 tools offered, none of which serves it; the assistant
    answers in text, as in the chat source. BFCL's irrelevance items are this shape (a question and
    a tool that looks near but does not fit); the fc sources hold only 10% of them, too few for a
    small model not to learn "always call" (issue 15)."""
    records = []
    for i, (question, answer) in enumerate(rng.sample(pairs, N_ABSTAIN), 1):
        messages = []
        if rng.random() < P_SYSTEM:
            messages.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS[lang])})
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        records.append({"id": f"abstain_{lang}-{i:04d}", "tools": offered(rng, [], lang, ABSTAIN_UNSAFE),
                        "messages": messages})
    return records


def near_offered(rng: random.Random, near: str, exclude: tuple[str, ...]) -> list[str]:
    """The near tool, sometimes with a sibling of its domain, plus distractors: 1 to 3 tools in all.
    Besides the near tool, none that could serve a question itself (ABSTAIN_UNSAFE) nor the entry's own
    exclusions is offered."""
    total = rng.choice([1, 2, 2, 3])
    banned = set(ABSTAIN_UNSAFE) | set(exclude) | {near}
    siblings = [t for t in NEARMISS.DOMAINS[NEARMISS.DOMAIN_OF[near]] if t not in banned]
    names = [near]
    if total > 1 and siblings and rng.random() < 0.5:
        names.append(rng.choice(siblings))
    names += rng.sample([t for t in TOOLS if t not in banned and t not in names], total - len(names))
    rng.shuffle(names)
    return names


def build_abstain_near(lang: str, rng: random.Random) -> list[dict[str, Any]]:
    """Near-miss abstention: a request in one tool's domain that the tool cannot serve, offered with that
    tool (BFCL's irrelevance shape: a tool that looks near, e.g. set_timer with "how long to boil an
    egg?"); the assistant answers in text. The far-tool abstention sources did not teach this (issue 15)."""
    assert set(NEARMISS.NEAR_MISS) == set(TOOLS) == set(NEARMISS.DOMAIN_OF), "every tool needs a domain and pool"
    entries = []
    for near, pools in NEARMISS.NEAR_MISS.items():
        assert len(pools[lang]) >= N_NEAR_PER_TOOL, (near, lang)
        for entry in pools[lang]:
            request, answer, exclude = (*entry, ())[:3]
            assert near not in exclude and set(exclude) <= set(TOOLS), (near, request)
            entries.append((near, request, answer, exclude))
    assert len({e[1] for e in entries}) == len(entries), f"duplicate near-miss request in {lang}"
    rng.shuffle(entries)
    records = []
    for i, (near, request, answer, exclude) in enumerate(entries, 1):
        names = near_offered(rng, near, exclude)
        assert near in names and not set(names) & set(exclude), (near, names)
        assert all(n == near or n not in ABSTAIN_UNSAFE for n in names), (near, names)
        messages = []
        if rng.random() < P_SYSTEM:
            messages.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS[lang])})
        messages += [{"role": "user", "content": request}, {"role": "assistant", "content": answer}]
        records.append({"id": f"abstain_near_{lang}-{i:04d}", "tools": [tool_schema(n, lang) for n in names],
                        "messages": messages})
    return records


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def main() -> None:
    outputs = {
        "fc_en": build_fc("en", random.Random(f"{SEED}-fc_en")),
        "fc_fr": build_fc("fr", random.Random(f"{SEED}-fc_fr")),
        "chat_fr": build_chat("chat_fr", CHAT_FR, random.Random(f"{SEED}-chat_fr")),
        "replay_en": build_chat("replay_en", REPLAY_EN, random.Random(f"{SEED}-replay_en")),
        "abstain_en": build_abstain("en", REPLAY_EN, random.Random(f"{SEED}-abstain_en")),
        "abstain_fr": build_abstain("fr", CHAT_FR, random.Random(f"{SEED}-abstain_fr")),
        "abstain_near_en": build_abstain_near("en", random.Random(f"{SEED}-abstain_near_en")),
        "abstain_near_fr": build_abstain_near("fr", random.Random(f"{SEED}-abstain_near_fr")),
    }
    for name, records in outputs.items():
        write_jsonl(OUT_DIR / f"{name}.jsonl", records)
        print(f"{name}.jsonl: {len(records)} records")


if __name__ == "__main__":
    main()
