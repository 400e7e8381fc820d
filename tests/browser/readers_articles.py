"""What the readers' paths need in the browser archive (issue 13), as Reuters and the BBC
give it: ALL-CAPS wire headlines without a publication, known only by ``urn:`` identifiers,
wire codes as tags (lower case, beside the Times' capitalised ones), many stories on one day,
undated stories, a tag the editors describe (``acq``) and one they merged (``ussr`` into
``Soviet Union``: ``READERS_SETUP``, run with ``manage.py shell`` after the ingest).

Entries are ``ARTICLES`` rows of ``tests/browser/conftest.py``; the Reuters ones (``urn:
reuters``) are ingested without the Times' title suffix, so they have no publication.
"""

WIRE_CODES = [
    "acq", "earn", "money-fx", "crude", "grain", "trade", "interest", "ship", "sugar", "coffee",
    "gold", "reserves", "rubber", "cocoa", "copper", "jobs",
]  # fmt: skip
WIRE_TITLES = [
    "GENCORP <GY> BOARD REJECTS TAKEOVER OFFER", "TEXACO SEES NO QUICK END TO DISPUTE",
    "BANK OF JAPAN INTERVENES IN TOKYO MARKET", "OPEC OUTPUT SEEN STEADY IN APRIL",
    "ARGENTINE GRAIN BOARD RAISES ESTIMATES", "JAPAN TRADE SURPLUS WIDENS IN MARCH",
    "PRIME RATE CUT EXPECTED BY ANALYSTS", "TANKER RATES FIRM ON GULF DEMAND",
    "CUBA SUGAR HARVEST BEHIND SCHEDULE", "COLOMBIA COFFEE EXPORTS RISE",
    "SOUTH AFRICA GOLD OUTPUT FALLS", "TAIWAN RESERVES HIT RECORD HIGH",
    "MALAYSIA RUBBER STOCKS DECLINE", "GHANA COCOA CROP ESTIMATE RAISED",
    "CHILE COPPER SALES STEADY", "U.K. JOBLESS TOTAL FALLS AGAIN",
    "CITICORP <CCI> UNIT BUYS BROKERAGE", "DOLLAR OPENS LOWER IN EUROPE",
    "WHEAT FUTURES CLOSE MIXED", "FED ADDS RESERVES VIA REPURCHASES",
    "NORANDA <NOR> PLANS NEW SMELTER", "K MART <KM> MARCH SALES UP",
    "BRITISH AIRWAYS SETS FLOTATION PRICE", "SOVIET GRAIN PURCHASES REPORTED",
    "USSR OIL EXPORTS TO WEST RISE",
]  # fmt: skip


def _wire(n, title):
    tags = [WIRE_CODES[n % len(WIRE_CODES)]]
    if n == 23:
        tags.append("Soviet Union")
    if n == 24:
        tags.append("ussr")
    body = (
        f"NEW YORK, March 31 - {title.capitalize()}, market sources said on Tuesday in a wire "
        f"report numbered {n}.Analysts expect more news on the matter within days. Reuter"
    )
    return (f"r{n:03d}.txt", f"urn:reuters-21578:newid:{9000 + n}", title, ",".join(tags),
            "March 31, 1987", body)  # fmt: skip


READERS_ARTICLES = [
    *(_wire(n, title) for n, title in enumerate(WIRE_TITLES)),
    ("r100.txt", "urn:reuters-21578:newid:8", "USX <X> DEBT DOWGRADED BY MOODY'S", "acq,usa",
     "February 26, 1987",
     "NEW YORK, Feb 26 - Moody's Investors Service Inc said it lowered the debt and preferred "
     "stock ratings of USX Corp and its units.About seven billion dlrs of securities is "
     "affected. Reuter"),
    ("b001.txt", "urn:bbc:football-1", "Football Cup Final Goes to Extra Time", "Football", "",
     "The cup final went to extra time before a late football goal settled it.Fans stayed on."),
    ("b002.txt", "urn:bbc:football-2", "Football Club Appoints a New Manager", "Football", "",
     "The football club named its new manager on the eve of the season.He starts at once."),
    ("b003.txt", "https://www.nytimes.com/2016/10/02/sports/football-season.html",
     "Football Season Opens With a Surprise", "Football", "October 2, 2016",
     "The football season opened with a surprise win for the visitors.The home side lost."),
]  # fmt: skip

ACQ_DESCRIPTION = "Reuters' wire code for company acquisitions and mergers."

#: Run with ``manage.py shell -c`` once the articles are ingested: what editors would do.
READERS_SETUP = f"""
from articles.merging import merge
from articles.models import Tag
acq = Tag.objects.get(slug="acq")
acq.description = {ACQ_DESCRIPTION!r}
acq.save()
merge(Tag.objects.get(slug="soviet-union"), [Tag.objects.get(slug="ussr")])
"""
