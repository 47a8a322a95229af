"""python-dateutil: recurrence rules, relative deltas, parsing and fixed time zones."""

import datetime as dt
import random

from dateutil import easter, parser, relativedelta, rrule, tz

rng = random.Random(17)
zones = [tz.tzoffset("A", 3600), tz.tzoffset("B", -5 * 3600), tz.tzutc(), tz.gettz("UTC")]
formats = ["%Y-%m-%d %H:%M", "%d %B %Y %I:%M %p", "%a, %d %b %Y %H:%M:%S", "%Y%m%dT%H%M%S",
           "%m/%d/%Y"]
for step in range(80):
    start = dt.datetime(2000 + step % 30, 1 + step % 12, 1 + step % 27, 9, 30)
    rule = rrule.rrule(rrule.WEEKLY, dtstart=start, count=120, byweekday=(rrule.MO, rrule.TH),
                       byhour=(9, 17))
    dates = list(rule)
    monthly = rrule.rrule(rrule.MONTHLY, dtstart=start, count=36, bysetpos=-1,
                          byweekday=rrule.FR)
    rset = rrule.rruleset()
    rset.rrule(rule)
    rset.exdate(dates[3])
    between = len(rset.between(start, start + dt.timedelta(days=200)))
    parsed = []
    for _ in range(150):
        when = start + dt.timedelta(minutes=rng.randint(0, 10 ** 6))
        text = when.strftime(rng.choice(formats))
        parsed.append(parser.parse(text, dayfirst=False))
    delta = relativedelta.relativedelta(parsed[-1], start)
    zone = zones[step % len(zones)]
    local = start.replace(tzinfo=zone).astimezone(tz.tzutc())
    print(f"step {step}: last {dates[-1]:%Y-%m-%d %H:%M} fri {list(monthly)[-1]:%Y-%m-%d} "
          f"between {between} parsed {min(parsed):%Y-%m-%d} {max(parsed):%Y-%m-%d} "
          f"delta {delta.years}y{delta.months}m{delta.days}d utc {local:%H:%M} "
          f"easter {easter.easter(start.year)}", flush=True)
print("done", flush=True)
