"""Training pairs for the date translator: human-written date → ISO date (or "no date").

The course made its pairs with Faker and babel from one list of formats. People write
dates in many more ways, so the generator here draws from *families* of formats (the
course's own list is one of them) and also makes non-dates and impossible dates, which
the model learns to answer with a single symbol.

All-numeric dates ("04/07/2019") are ambiguous, so the model reads a *reading order* mark
before the text (the first input position): `auto`, `mdy`, `dmy` or `ymd`. `read_numeric`
is the rule every numeric label follows (also in the README and on the page):
- auto: `/`, `-` and `_` read month first (US, as babel's en_US short format 10/9/93); `.` and
  space read day first (the course's dd.MM.YY and d MM YY);
- mdy / dmy: month first / day first whatever the separator; ymd: three two-digit numbers
  read year-month-day ("19/07/04" is 2019-07-04) when that is a date, otherwise as mdy;
- whatever the order: a number > 12 is never the month, so where the order would make it
  one, the two swap ("28/02/2019" read month first, "01/13/2021" day first); a leading four-digit
  year reads year-month-day (ISO, EXIF "2019:07:04"), a month > 12 is impossible ("!"),
  and a last number of one or three digits is not a year ("1-2-3", "1.5.3": no date);
- two-digit years use the POSIX window (as Python's %y): 69–99 → 1969–1999, 00–68 → 2000–2068.
"""
from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import unicodedata

import numpy as np
from babel.dates import format_date
from faker import Faker

# ----------------------------------------------------------------------------- vocabularies
Tx = 49  # input positions: a reading-order mark + up to 48 characters (the course used 30)
MAX_CHARS = Tx - 1  # characters the model reads at once (longer text is read in windows)
Ty = 11  # "YYYY-MM-DD" plus the end symbol

PAD, UNK = "<pad>", "<unk>"
START, END = "<s>", "</s>"
NOT_A_DATE = "?"  # the model's whole answer for text that holds no date
IMPOSSIBLE = "!"  # ... and for a date that is not on the calendar (February 30)

HUMAN_CHARS = " abcdefghijklmnopqrstuvwxyz0123456789.,/-:+'()@#&;!?\"_"
ORDERS = ("auto", "mdy", "dmy", "ymd")  # how an all-numeric date is read (module docstring)
ORDER_MARKS = {order: f"<{order}>" for order in ORDERS}  # one input symbol each, never typed
human_vocab = {PAD: 0, UNK: 1, **{c: i + 2 for i, c in enumerate(HUMAN_CHARS)},
               **{mark: 2 + len(HUMAN_CHARS) + i for i, mark in enumerate(ORDER_MARKS.values())}}
machine_vocab = {PAD: 0, START: 1, END: 2, "-": 3, NOT_A_DATE: 4, IMPOSSIBLE: 5,
                 **{str(d): 6 + d for d in range(10)}}
inv_machine_vocab = {i: t for t, i in machine_vocab.items()}

TWO_DIGIT_PIVOT = 69  # %y window: 69..99 → 19xx, 00..68 → 20xx
FIRST_YEAR, LAST_YEAR = 1900, 2099

FAMILIES = ("course", "weekday", "ordinal", "month_name", "numeric", "year_first",
            "with_time", "sentence", "in_text", "verbose", "messy", "not_a_date", "impossible")
# share of each family in a generated data set
FAMILY_WEIGHTS = {"course": 0.09, "weekday": 0.07, "ordinal": 0.08, "month_name": 0.09,
                  "numeric": 0.14, "year_first": 0.06, "with_time": 0.09, "sentence": 0.07,
                  "in_text": 0.08, "verbose": 0.04, "messy": 0.06, "not_a_date": 0.08,
                  "impossible": 0.05}
# share of each reading order in training sets (`DateGenerator.training_set`)
ORDER_WEIGHTS = {"auto": 0.4, "mdy": 0.2, "dmy": 0.2, "ymd": 0.2}

# The course's babel formats. The course wrote YYY, which in babel is the *week-based* year
# and mislabels the last days of December; we write y.
COURSE_FORMATS = ["short", "medium", "long", "full", "d MMM y", "d MMMM y", "dd MMM y",
                  "d MMM, y", "d MMMM, y", "dd, MMM y", "d MM yy", "MMMM d y", "MMMM d, y",
                  "dd.MM.yy"]

MONTHS = [calendar.month_name[m].lower() for m in range(1, 13)]
MONTH_ABBR = [calendar.month_abbr[m].lower() for m in range(1, 13)]
MONTH_ABBR_EXTRA = {9: ["sept"]}
WEEKDAYS = [calendar.day_name[d].lower() for d in range(7)]
WEEKDAY_ABBR = [calendar.day_abbr[d].lower() for d in range(7)]

_ONES = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
         "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
         "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
_TENS = {20: ("twentieth", "twenty"), 30: ("thirtieth", "thirty")}


def ordinal_suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_CARDINALS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
              "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
              "seventeen", "eighteen", "nineteen"]
_DECADES = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy",
            8: "eighty", 9: "ninety"}


def number_words(n: int) -> str:
    """0..99 in words: 93 → 'ninety-three'."""
    if n < 20:
        return _CARDINALS[n]
    tens, ones = divmod(n, 10)
    return _DECADES[tens] + ("" if ones == 0 else f"-{_CARDINALS[ones]}")


def year_words(year: int, style: int = 0) -> str:
    """1993 → 'nineteen ninety-three'; 2004 → 'two thousand and four' or 'two thousand four'."""
    century, rest = divmod(year, 100)
    if year >= 2000 and (rest < 10 or style == 1):
        joint = " and " if style == 2 else " "
        return "two thousand" + ("" if rest == 0 else joint + number_words(rest))
    if rest == 0:
        return number_words(century) + " hundred"
    return number_words(century) + " " + (f"oh {number_words(rest)}" if rest < 10 else number_words(rest))


def ordinal_words(day: int) -> str:
    """1 → 'first', 26 → 'twenty-sixth' (how the day is said aloud)."""
    if day < 20:
        return _ONES[day]
    tens, ones = divmod(day, 10)
    ordinal, cardinal = _TENS[tens * 10]
    return ordinal if ones == 0 else f"{cardinal}-{_ONES[ones]}"


NUMERIC_DATE = re.compile(r"(\d+)([/.\- :_])(\d+)\2(\d+)")  # three digit groups, one separator

# ----------------------------------------------------------------------------- encoding
def normalize_text(text: str) -> str:
    """Lower-case and fold accents (é → e) the way the model's inputs were made."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return folded.lower()


def string_to_int(text: str, length: int, vocab: dict) -> list[int]:
    """The course's helper: characters → indices, padded to `length` (never cut here)."""
    ids = [vocab.get(c, vocab[UNK]) for c in text]
    return ids + [vocab[PAD]] * (length - len(ids))


def encode_input(text: str, order: str = "auto", tx: int = Tx) -> list[int]:
    """The model's input: the reading-order mark, then the (normalized) text, padded to tx."""
    return [human_vocab[ORDER_MARKS[order]]] + string_to_int(text, tx - 1, human_vocab)


def expand_year(digits: str) -> int | None:
    """'2019' → 2019, '93' → 1993, '04' → 2004 (the %y window); other lengths are no year."""
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        return (1900 if int(digits) >= TWO_DIGIT_PIVOT else 2000) + int(digits)
    return None


def calendar_answer(year: int, month: int, day: int) -> str:
    """ISO for a real date, IMPOSSIBLE for one that is not on the calendar."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return NOT_A_DATE
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return IMPOSSIBLE
    return dt.date(year, month, day).isoformat()


def read_numeric(parts: tuple[str, str, str], sep: str, order: str = "auto") -> str:
    """How an all-numeric date is read under a reading order: the rule the labels follow.

    parts are the three digit groups as written ("04", "07", "2019"), sep their separator.
    """
    first, second, third = parts
    if len(first) == 4:  # a leading four-digit year: ISO order, whatever the reading order
        return calendar_answer(int(first), int(second), int(third))
    year = expand_year(third)
    if year is None or len(first) > 2 or len(second) > 2:
        return NOT_A_DATE
    if order == "ymd" and len(first) == len(second) == len(third) == 2:
        answer = calendar_answer(expand_year(first), int(second), int(third))
        if answer != IMPOSSIBLE:
            return answer  # otherwise "04/20/27" is read as mdy, below
    month_first = order in ("mdy", "ymd") or (order == "auto" and sep in "/-_")
    month, day = (int(first), int(second)) if month_first else (int(second), int(first))
    if month > 12 >= day:  # "28/02/2019" month first: a number > 12 can only be the day
        month, day = day, month
    return calendar_answer(year, month, day)


def target_tokens(answer: str) -> list[str]:
    """'1993-10-09' → its 10 characters + END; '?' / '!' → that symbol + END."""
    return list(answer) + [END]


def preprocess_data(pairs, tx: int = Tx, ty: int = Ty):
    """Pairs → (X, Y_in, Y_out): input ids, decoder inputs (START + shifted), targets.

    Each pair is (text, answer) or (text, answer, order); without an order it is "auto".
    X is (m, Tx) ids, the order mark first (the model one-hots them); Y_in/Y_out are
    (m, Ty) ids. Y_out is padded with PAD after END; those steps get zero weight in the loss.
    """
    m = len(pairs)
    X = np.zeros((m, tx), dtype=np.int32)
    Y_in = np.zeros((m, ty), dtype=np.int32)
    Y_out = np.zeros((m, ty), dtype=np.int32)
    for i, (text, answer, *rest) in enumerate(pairs):
        order = rest[0] if rest and rest[0] in ORDERS else "auto"
        X[i] = encode_input(normalize_text(text), order, tx)
        out = [machine_vocab[t] for t in target_tokens(answer)]
        Y_out[i, : len(out)] = out
        Y_in[i, 0] = machine_vocab[START]
        Y_in[i, 1 : len(out)] = out[:-1]
    return X, Y_in, Y_out


# ----------------------------------------------------------------------------- generator
class DateGenerator:
    """Draws (human text, answer) pairs; one seeded RNG so a data set can be remade."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.order = "auto"  # the reading order of the pair being made (see read_numeric)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    # --- pieces ------------------------------------------------------------------------
    def random_date(self, two_digit_ok: bool = False) -> dt.date:
        r = self.rng
        lo, hi = (1969, 2068) if two_digit_ok else (FIRST_YEAR, LAST_YEAR)
        if r.random() < 0.6:  # most real dates are recent
            lo, hi = max(lo, 1950), min(hi, 2035)
        year = r.randint(lo, hi)
        month = r.randint(1, 12)
        day = r.randint(1, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    def month_word(self, month: int) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.45:
            return MONTHS[month - 1]
        abbr = r.choice([MONTH_ABBR[month - 1]] + MONTH_ABBR_EXTRA.get(month, []))
        return abbr + "." if choice < 0.65 else abbr

    def day_word(self, day: int, allow_words: bool = True) -> str:
        r = self.rng
        choice = r.random()
        if choice < 0.45:
            return str(day)
        if choice < 0.6:
            return f"{day:02d}"
        if choice < 0.9 or not allow_words:
            return f"{day}{ordinal_suffix(day)}"
        return ordinal_words(day)

    def year_word(self, year: int, two_digit_ok: bool) -> str:
        if two_digit_ok and self.rng.random() < 0.3:
            return f"'{year % 100:02d}" if self.rng.random() < 0.2 else f"{year % 100:02d}"
        return str(year)

    def weekday_word(self, date: dt.date) -> str:
        r = self.rng
        wd = date.weekday()
        word = WEEKDAYS[wd] if r.random() < 0.5 else WEEKDAY_ABBR[wd]
        return word + r.choice(["", "", ",", "."])

    def time_of_day(self) -> str:
        r = self.rng
        h, m, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        return r.choice([
            f"{h:02d}:{m:02d}:{s:02d}", f"{h:02d}:{m:02d}", f"{h}:{m:02d}",
            f"{(h % 12) or 12}:{m:02d} {r.choice(['am', 'pm', 'AM', 'PM'])}",
            f"{(h % 12) or 12}{r.choice(['am', 'pm'])}",
            f"{(h % 12) or 12}:{m:02d}{r.choice(['am', 'pm'])}",
            f"{h:02d}:{m:02d}:{s:02d}.{r.randint(0, 999):03d}",
            f"{h:02d}.{m:02d}", f"{h:02d}.{m:02d}.{s:02d}", f"{h}h{m:02d}", f"{h}h{m:02d}m",
        ])

    def time_zone(self) -> str:
        r = self.rng
        return r.choice([
            "utc", "gmt", "z", "est", "pst", "cet", "bst", "edt",
            f"+{r.randint(0, 12):02d}:00", f"-{r.randint(0, 11):02d}:00",
            f"+{r.randint(0, 12):02d}{r.choice(['00', '30'])}", "+0000",
        ])

    # --- families ------------------------------------------------------------------------
    def course(self):
        date = self.random_date(two_digit_ok=True)
        text = format_date(date, format=self.rng.choice(COURSE_FORMATS), locale="en_US")
        numbers = NUMERIC_DATE.fullmatch(text)  # "10/9/93", "09.10.93": the reading order decides
        if numbers:
            return text, read_numeric(numbers.group(1, 3, 4), numbers.group(2), self.order)
        return text, date

    def weekday(self):
        r = self.rng
        date = self.random_date()
        w, d, mo, y = self.weekday_word(date), self.day_word(date.day, False), \
            self.month_word(date.month), str(date.year)
        text = r.choice([
            f"{w} {d} {mo} {y}", f"{w} {mo} {d}, {y}", f"{w} {mo} {d} {y}",
            f"{w} {d} {mo}, {y}", f"{w}, {mo} {d} {y}",
            f"{d} {mo} {y} ({w.strip(',.')})", f"{mo} {d}, {y}, {w.strip(',.')}",
            f"{w} the {date.day}{ordinal_suffix(date.day)} of {mo} {y}",
            "numeric", "numeric",
        ])
        if text == "numeric":  # "tue 4/28/1990": the reading order decides, as for any number
            numbers, answer = self.numeric_date(date, r.choice(["/", ".", "-"]))
            return f"{w} {numbers}" if r.random() < 0.7 else f"{numbers} {w}", answer
        return text, date

    def ordinal(self):
        r = self.rng
        date = self.random_date()
        day = date.day
        th = f"{day}{ordinal_suffix(day)}"
        said = ordinal_words(day)
        mo, y = self.month_word(date.month), self.year_word(date.year, False)
        text = r.choice([
            f"{th} of {mo} {y}", f"{th} of {mo}, {y}", f"the {th} of {mo} {y}",
            f"the {th} of {mo}, {y}", f"{mo} {th}, {y}", f"{mo} {th} {y}", f"{th} {mo} {y}",
            f"{mo} {said}, {y}", f"{mo} the {said}, {y}", f"the {said} of {mo} {y}",
            f"{said} of {mo} {y}", f"{mo} {said} {y}", f"{mo} the {th}, {y}",
        ])
        return text, date

    def month_name(self):
        r = self.rng
        date = self.random_date(two_digit_ok=True)
        d = self.day_word(date.day, False)
        mo = self.month_word(date.month)
        y = self.year_word(date.year, two_digit_ok=True) if r.random() < 0.25 else str(date.year)
        text = r.choice([
            f"{d} {mo} {y}", f"{mo} {d} {y}", f"{mo} {d}, {y}", f"{d} {mo}, {y}",
            f"{d}-{mo}-{y}", f"{d}/{mo}/{y}", f"{mo}-{d}-{y}", f"{d}{mo}{y}",
            f"{date.year} {mo} {d}", f"{date.year}-{mo}-{d}", f"{d}. {mo} {y}",
            f"{mo}. {d}, {y}".replace("..", "."), f"{d} {mo}. {y}".replace("..", "."),
            f"{date.year}-{MONTH_ABBR[date.month - 1]}-{date.day:02d}", f"{date.year}-{date.day:02d}-{MONTH_ABBR[date.month - 1]}",
            f"{date.day:02d}{MONTH_ABBR[date.month - 1]}{y}", f"{WEEKDAY_ABBR[date.weekday()]}{date.day}{MONTH_ABBR[date.month - 1]}{y}",
        ])
        if len(y) < 4 and text.startswith(str(date.year)):
            text = f"{d} {mo} {y}"
        return text, date

    def numeric_date(self, date: dt.date, sep: str) -> tuple[str, str]:
        """A numeric date as some writer wrote it, and its answer under the pair's reading order.

        Writers write month first, day first or (two-digit) year first; the answer is what
        `read_numeric` makes of the text under `self.order`, which for an ambiguous text may
        be another day than the writer meant: that is what a reading order means.
        """
        r = self.rng
        two_ok = date.year in range(1969, 2069)
        writer = r.choice(["mdy", "mdy", "dmy", "dmy", "ymd"] if two_ok else ["mdy", "dmy"])
        two = writer == "ymd" or (two_ok and r.random() < 0.4)
        y = f"{date.year % 100:02d}" if two else str(date.year)
        pad = writer == "ymd" or r.random() < 0.5
        m = f"{date.month:02d}" if pad else str(date.month)
        d = f"{date.day:02d}" if pad else str(date.day)
        parts = {"mdy": (m, d, y), "dmy": (d, m, y), "ymd": (y, m, d)}[writer]
        return sep.join(parts), read_numeric(parts, sep, self.order)

    def numeric(self):
        sep = self.rng.choice(["/", "/", "-", ".", ".", " ", "", "_"])
        date = self.random_date(two_digit_ok=True)
        if sep == "":  # no separator: ISO basic
            return f"{date.year}{date.month:02d}{date.day:02d}", date
        return self.numeric_date(date, sep)

    def year_first(self):
        r = self.rng
        date = self.random_date()
        sep = r.choice(["-", "-", "/", ".", " ", ":"])
        pad = r.random() < 0.8
        m = f"{date.month:02d}" if pad else str(date.month)
        d = f"{date.day:02d}" if pad else str(date.day)
        return f"{date.year}{sep}{m}{sep}{d}", date

    def with_time(self):
        r = self.rng
        date = self.random_date()
        t, tz = self.time_of_day(), self.time_zone()
        wd = WEEKDAY_ABBR[date.weekday()]
        mo = MONTH_ABBR[date.month - 1]
        h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        hms = f"{h:02d}:{mi:02d}:{s:02d}"
        if r.random() < 0.3:  # numbers first, then a time in any style: the time's digits are not the date's
            numbers, answer = self.numeric_date(date, r.choice(["/", ".", "-", " "]))
            text = r.choice([f"{numbers} {t}", f"{numbers}, {t}", f"{numbers} {hms}", f"{t} {numbers}",
                             f"{numbers} {t} {tz}", f"{numbers} at {t}", f"{numbers}t{hms}",
                             f"{numbers} {wd} {t}", f"{numbers} - {hms}"])
            return text, answer
        text = r.choice([
            f"{wd} {mo} {date.day:2d} {hms} {date.year}",  # ctime
            f"{date.isoformat()}t{hms}{r.choice(['+00:00', 'z', '-05:00', '.000z', ''])}",
            f"{date.isoformat()} {hms}",
            f"{date.year}{date.month:02d}{date.day:02d}t{h:02d}{mi:02d}{s:02d}{r.choice(['z', ''])}",
            f"{date.day:02d}/{mo}/{date.year}:{hms} {r.choice(['+0000', '-0700'])}",
            f"[{date.day:02d}/{mo}/{date.year}:{hms} {r.choice(['+0000', '-0700', '+0200'])}]",
            f"{date.year}:{date.month:02d}:{date.day:02d} {hms}",  # EXIF
            f"{wd} {mo} {date.day:02d} {date.year} {hms} gmt{r.choice(['+0000', '-0500', '+0100'])}",
            f"{wd}, {date.day:02d} {mo} {date.year} {hms} {r.choice(['+0000', 'gmt', '-0700'])}",
            f"{MONTHS[date.month - 1]} {date.day}, {date.year} at {t}",
            f"{date.day} {self.month_word(date.month)} {date.year} {t} {tz}",
            f"{date.year}-{date.month:02d}-{date.day:02d} {t} {tz}",
            f"{self.month_word(date.month)} {date.day} {date.year} {t}",
            f"{t} {self.month_word(date.month)} {date.day}, {date.year}",  # time first
            f"{t} {tz} {wd} {date.day} {mo} {date.year}",
            f"{WEEKDAYS[date.weekday()]}, {t}, {MONTHS[date.month - 1]} {date.day}, {date.year}",
            f"{date.day} {mo} {date.year}, {t} ({tz}), {WEEKDAYS[date.weekday()]}",
            f"{date.isoformat()} ({wd}) {t}",
            f"{date.isoformat()} {WEEKDAYS[date.weekday()]}",
            f"{wd} {mo} {date.day} {hms} {tz} {date.year}",  # date(1) with an unpadded day
            f"{date.isoformat()}t{hms}{r.choice(['.', ','])}{r.randint(0, 999999):0{r.choice([3, 6])}d}"
            f"{r.choice(['-0700', '+05:30', 'z', '+0000', ''])}",
            f"{date.year}{date.month:02d}{date.day:02d}{h:02d}{mi:02d}{s:02d}",  # digits only
            f"{date.year}{date.month:02d}{date.day:02d}{h:02d}:{mi:02d}",
            f"{date.year}{date.month:02d}{date.day:02d} {h:02d}{mi:02d}",
            f"{date.year}-{date.month:02d}-{date.day:02d} {hms},{r.randint(0, 999):03d} - {self.fake.word()} - "
            f"{r.choice(['debug', 'info', 'warning', 'error'])}",  # Python logging
        ])
        if r.random() < 0.05 and date.year in range(1969, 2069):  # yymmdd hhmmss: the %y window
            text = f"{date.year % 100:02d}{date.month:02d}{date.day:02d} {h:02d}{mi:02d}{s:02d}"
        return text, date

    def sentence(self):
        r = self.rng
        date, inner = self.any_date_text()
        lead = r.choice(["born on", "due", "on", "date:", "meeting on", "it happened on",
                         "we met on", "deadline", "from", "signed", "posted on",
                         "delivered", "since", "dob:", "expires", "paid on", "see you",
                         "released", "as of", "updated"])
        tail = r.choice(["", "", ".", "!", " at noon", " please", " ok?", " (approx)",
                         " in paris", " - thanks", " morning", "?"])
        text = r.choice([f"{lead} {inner}{tail}", f"{inner}{tail}",
                         f"{lead} {inner}", f"{inner} {r.choice(['was great', 'is fine', 'ok'])}"])
        if len(text) > MAX_CHARS:
            text = inner
        return text, date

    def version(self) -> str:
        r = self.rng
        return r.choice(["", "v"]) + ".".join(str(r.randint(0, 12)) for _ in range(r.choice([2, 3, 3])))

    def in_text(self):
        """A date inside other text: log lines, release notes, after version numbers and counts."""
        r = self.rng
        date, inner = self.any_date_text()
        iso, ver = date if isinstance(date, str) else date.isoformat(), self.version()
        if r.random() < 0.3:  # the date as ISO, as logs and changelogs write it
            inner = iso if iso[0].isdigit() and len(iso) == 10 else inner
        n, level = r.randint(1, 9999), r.choice(["info", "warn", "error", "debug", "i", "e"])
        text = r.choice([
            f"release {ver} on {inner}", f"{ver} ({inner})", f"version {ver}, {inner}",
            f"[{inner}] {level}: {self.fake.word()}", f"{inner} {level} {self.fake.word()} {n}",
            f"{level} {inner} pid={n}", f"## [{ver}] - {inner}", f"{ver} - {inner}",
            f"build {n} {inner}", f"line {n}: {inner}", f"#{n} {inner}", f"{inner} rev {n}",
            f"{self.fake.ipv4()} - - [{inner}]", f"{n} items shipped {inner}",
            f"order {n} placed {inner}", f"{self.fake.first_name().lower()}, {inner}",
            f"{inner} | {self.fake.word()} | {n}", f"{ver} released {inner}",
        ])
        if len(text) > MAX_CHARS:
            text = inner
        return text, date

    def verbose(self):
        """Dates said the long way: "the fourth of july in the year 2019", years in words."""
        r = self.rng
        date = self.random_date()
        month, said, th = MONTHS[date.month - 1], ordinal_words(date.day), \
            f"{date.day}{ordinal_suffix(date.day)}"
        y = year_words(date.year, r.randrange(3)) if r.random() < 0.4 else str(date.year)
        day = said if r.random() < 0.6 else th
        text = r.choice([
            f"the {day} of {month} in the year {y}", f"the {day} day of {month}, {y}",
            f"{month} the {day}, {y}", f"the {day} of {month} of {y}", f"in the year {y} on {month} {day}",
            f"{day} {month} in the year of our lord {y}", f"on the {day} of {month} {y}",
            f"{month} {day} in {y}", f"the {day} of {month}, year {y}", f"{day} of {month}, {y}",
            f"{WEEKDAYS[date.weekday()]} the {day} of {month} {y}",
        ])
        if len(text) > MAX_CHARS:
            text = f"{month} {th}, {y}"
        if len(text) > MAX_CHARS:
            text = f"{month} {th}, {date.year}"
        return text, date

    def any_date_text(self):
        family = self.rng.choice(["course", "weekday", "ordinal", "month_name", "numeric",
                                  "year_first", "with_time"])
        text, date = getattr(self, family)()
        return date, text

    def messy(self):
        """Any date, with the case, spaces and punctuation of real typing."""
        r = self.rng
        date, text = self.any_date_text()
        for _ in range(r.randint(1, 3)):
            move = r.randrange(7)
            if move == 0:
                text = text.upper()
            elif move == 1:
                text = "".join(c.upper() if r.random() < 0.5 else c for c in text)
            elif move == 2:
                text = text.title()
            elif move == 3:
                text = text.replace(" ", "  ", r.randint(1, 2))
            elif move == 4:
                text = r.choice([" ", "  ", "(", '"', "[", "-"]) + text
            elif move == 5:
                text = text + r.choice([" ", ".", ",", ")", '"', "!", ";", "  "])
            else:
                text = text.replace(",", r.choice(["", " ,", ",,"]), 1)
        return text.strip() if r.random() < 0.3 else text, date

    def not_a_date(self):
        r = self.rng
        f = self.fake
        date = self.random_date()
        mo = self.month_word(date.month)
        text = r.choice([
            lambda: f.word(), lambda: f.sentence(nb_words=r.randint(2, 6)),
            lambda: f.name(), lambda: f.city(), lambda: str(r.randint(0, 10 ** r.randint(1, 9))),
            lambda: f.phone_number(), lambda: self.time_of_day(),
            lambda: f"{mo} {date.year}", lambda: f"{mo} {self.day_word(date.day)}",
            lambda: str(date.year), lambda: f"{date.month}/{date.year}",
            lambda: f"{self.day_word(date.day)} of {mo}", lambda: f.street_address(),
            lambda: f.email(), lambda: f"{r.randint(1, 99)}.{r.randint(0, 99)}",
            lambda: f.color_name().lower(), lambda: f"{r.randint(1, 999)} {f.word()}s",
            lambda: r.choice(["today", "tomorrow", "yesterday", "next week",
                                          "now", "soon", "never", "monday", "weekend"]),
            lambda: f"{f.word()} {r.randint(1, 31)}", lambda: f.ipv4(),
            lambda: f"{r.randint(1, 12)}:{r.randint(0, 59):02d}",
            # digits that are not a date: versions, "1-2-3", sizes, scores
            lambda: self.version(), lambda: f"release {self.version()}",
            lambda: r.choice(["-", ".", "/"]).join(str(r.randint(0, 9)) for _ in range(3)),
            lambda: f"{r.randint(1, 12)}/{r.randint(1, 31)}/{r.randint(0, 9)}",
            lambda: f"{r.randint(1, 31)}.{r.randint(1, 12)}.{r.randint(100, 999)}",
            lambda: f"{r.randint(1, 99)}-{r.randint(1, 99)}", lambda: f"{r.randint(1, 9)} of {r.randint(10, 99)}",
            lambda: f"{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}",
            lambda: f"{mo} {date.year} at {self.time_of_day()}", lambda: f"{mo} {self.day_word(date.day)}, {self.time_of_day()}",
            # part of a date inside a sentence: no day, or no year, is no date
            lambda: f"{r.choice(['sometime in', 'back in', 'due', 'married soon', 'since', 'until'])} "
                    f"{r.choice([f'{mo} {date.year}', f'({mo} {date.year})', f'{mo}, {date.year}', f'({date.month:02d}/{date.year})'])}"
                    f"{r.choice(['', '.', ', probably.', ' ok?'])}",
            lambda: f"{r.choice(['the deadline is', 'see you', 'until', 'closed on', 'party on'])} "
                    f"{self.weekday_word(date)} {self.day_word(date.day)} {mo}",
            lambda: f"{r.choice(['until', 'by', 'from'])} {mo} {self.day_word(date.day)} "
                    f"({r.randint(5, 75)}% off)",
            lambda: f"total: ${r.randint(1, 9)},{r.randint(100, 999)}.{r.randint(0, 99):02d} {f.word()}",
            lambda: f"{r.choice(['1st', '2nd', '3rd', '4th'])} quarter {date.year}",
            lambda: f"<{r.randint(0, 191)}>{MONTH_ABBR[date.month - 1]} {date.day} {self.time_of_day()} {f.word()} su:",
            lambda: f"meet for dinner ({r.randint(1, 11)}pm {r.choice(['est', 'pst', 'cet'])})?",
        ])()
        return text[:MAX_CHARS], NOT_A_DATE

    def impossible(self):
        """A well-formed date that is not on the calendar: February 30, April 31, month 13."""
        r = self.rng
        year = r.randint(1950, 2035) if r.random() < 0.6 else r.randint(FIRST_YEAR, LAST_YEAR)
        month = r.randint(1, 12)
        last = calendar.monthrange(year, month)[1]
        if month == 2 and r.random() < 0.5:
            day = 29 if not calendar.isleap(year) else 30
            day = r.choice([day, 30, 31]) if day == 29 else r.choice([30, 31])
        else:
            day = r.randint(last + 1, 31) if last < 31 and r.random() < 0.7 else r.randint(32, 39)
        mo_word = self.month_word(month)
        how = r.randrange(6)
        if how == 0:
            text = f"{mo_word} {day}, {year}"
        elif how == 1:
            text = f"{day} {mo_word} {year}"
        elif how == 2:
            text = f"{month}/{day}/{year}"
        elif how == 3:
            text = f"{day}.{month:02d}.{year}"
        elif how == 4:
            text = f"{year}{r.choice(['-', '/', '.'])}{month:02d}{r.choice(['-', '/', '.'])}{day:02d}"
        else:  # month 13+ written numerically: after a year, or both numbers past 12
            m_bad = r.randint(13, 19)
            sep = r.choice(["-", "/", "."])
            text = r.choice([f"{year}{sep}{m_bad}{sep}{r.randint(1, 28):02d}",
                             f"{r.randint(13, 31)}{sep}{m_bad}{sep}{year}"])
        if r.random() < 0.1:  # month or day zero
            sep = r.choice(["-", "/", "."])
            text = r.choice([f"{year}{sep}00{sep}{r.choice(['00', f'{r.randint(1, 28):02d}'])}",
                             f"{year}{sep}{month:02d}{sep}00", f"00{sep}{month:02d}{sep}{year}"])
        numbers = NUMERIC_DATE.fullmatch(text)  # numbers follow the reading order's rule
        if numbers:
            return text, read_numeric(numbers.group(1, 3, 4), numbers.group(2), self.order)
        return text, IMPOSSIBLE

    # --- the data set ---------------------------------------------------------------------
    def pair(self, family: str, order: str = "auto"):
        """One (text, answer, family) triple read under `order`; answer is ISO, '?' or '!'."""
        self.order = order
        text, answer = getattr(self, family)()
        if isinstance(answer, dt.date):
            answer = answer.isoformat()
        text = text.strip(" ") if len(text) > MAX_CHARS else text
        if len(normalize_text(text)) > MAX_CHARS:  # too long for the model: draw again
            return self.pair(family, order)
        return text, answer, family

    def dataset(self, m: int, families=FAMILIES):
        """m (text, answer, family) triples, numbers read in the "auto" order."""
        weights = [FAMILY_WEIGHTS[f] for f in families]
        picks = self.rng.choices(list(families), weights=weights, k=m)
        return [self.pair(f) for f in picks]

    def training_set(self, m: int, families=FAMILIES):
        """m (text, answer, family, order) rows, reading orders drawn by ORDER_WEIGHTS."""
        weights = [FAMILY_WEIGHTS[f] for f in families]
        picks = self.rng.choices(list(families), weights=weights, k=m)
        orders = self.rng.choices(ORDERS, weights=[ORDER_WEIGHTS[o] for o in ORDERS], k=m)
        return [(*self.pair(f, o), o) for f, o in zip(picks, orders)]


def load_dataset(m: int, seed: int = 0):
    """The course's name: m (human, machine, family) triples plus the vocabularies."""
    return DateGenerator(seed).dataset(m), human_vocab, machine_vocab, inv_machine_vocab
