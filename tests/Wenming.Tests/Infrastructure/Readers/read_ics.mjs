// Reads the iCalendar feed in the file named by the first argument with Mozilla's ical.js (vendored beside this file,
// MPL-2.0, see ical.js-LICENSE), as a web calendar does: the feed's own VTIMEZONEs registered, then each event's times
// resolved in them. Prints JSON.
import { readFileSync } from "node:fs";
import ICAL from "./ical.mjs";

const text = readFileSync(process.argv[2], "utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
const zones = calendar.getAllSubcomponents("vtimezone").map((vtimezone) => {
  const zone = new ICAL.Timezone(vtimezone);
  ICAL.TimezoneService.register(zone, vtimezone.getFirstPropertyValue("tzid"));
  return {
    tzid: vtimezone.getFirstPropertyValue("tzid"),
    standard: vtimezone.getAllSubcomponents("standard").length,
    daylight: vtimezone.getAllSubcomponents("daylight").length,
  };
});
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    url: vevent.getFirstPropertyValue("url"),
    status: vevent.getFirstPropertyValue("status"),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
  };
});
process.stdout.write(JSON.stringify({ zones, events }));
