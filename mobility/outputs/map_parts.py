"""The small folium elements the interactive maps are built of (no map logic here).

- :class:`_Literal` and :func:`_no_template_evaluation`: rendered output is never template
  source (text from data reaches no template engine);
- :class:`_HtmlControl` (title, legends, summary), :class:`_Attribution`,
  :class:`_GeoJsonLayer` (features carrying their own style, tooltip and popup);
- :class:`_Labels` (permanent place labels shown by zoom level), :class:`_ZoomClasses`,
  :class:`_Scale` (metric scale bar), :class:`_Search` (initiative search and filter) and
  :class:`_Sync` (two maps that follow each other): plain Leaflet, nothing loaded from the
  network.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import branca.element
import folium
import folium.features
import folium.map
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from ..errors import OutputError


class _Literal(Element):
    """Text emitted as it is: the template is constant and the text is only its variable.

    branca renders every macro of every element (folium's and ours) to a string and wraps that
    string in ``Element(string)``, which compiles it as a Jinja template and renders it again:
    any ``{{ ... }}`` in data (an initiative name in a popup, a bundle name in the layer
    control) would be evaluated. :func:`_no_template_evaluation` makes that wrapper a
    ``_Literal`` while a page is rendered, so rendered output is never template source.
    """

    _template = Template("{{ this.text }}")

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        super().__init__()
        if template_name is not None:
            msg = "a literal element takes text, not a template file"
            raise OutputError(msg)
        self.text = template or ""


#: The modules whose ``render`` wraps rendered macro output in ``Element(...)``.
_WRAPPING_MODULES = (branca.element, folium.map, folium.features)
_RENDER_LOCK = threading.Lock()


@contextlib.contextmanager
def _no_template_evaluation() -> Iterator[None]:
    """While rendering, rendered output is wrapped in :class:`_Literal`, never re-compiled.

    The modules' global name ``Element`` is swapped for the duration of one render (under a
    lock) and restored afterwards; the classes themselves are untouched.
    """
    with _RENDER_LOCK:
        saved = [(mod, mod.Element) for mod in _WRAPPING_MODULES]
        try:
            for mod, _ in saved:
                mod.Element = _Literal  # type: ignore[attr-defined]
            yield
        finally:
            for mod, original in saved:
                mod.Element = original  # type: ignore[attr-defined]


def _js_json(value: Any) -> str:
    """JSON for a script block: UTF-8 kept readable, ``</`` and line separators escaped."""
    out = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (out.replace("</", "<\\/").replace("<!--", "<\\!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _HtmlControl(MacroElement):
    """A Leaflet control holding static HTML (title, legend, summary box)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'mob-box ' + {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomright", css_class: str = "") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = html
        self.html_json = _js_json(html)
        self.position = position
        self.css_class = css_class


class _Attribution(MacroElement):
    """Adds data-source attribution lines to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for line in this.lines %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ line }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.lines = [_js_json(line) for line in lines]


class _GeoJsonLayer(Layer):
    """A GeoJSON layer whose features carry their own style, tooltip and popup.

    Feature properties used: ``_style`` (Leaflet path options, incl. ``className``),
    ``_tooltip`` and ``_popup`` (HTML), ``_badge`` (HTML of a numbered marker drawn instead
    of a circle for a point).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
            pane: {{ this.pane|tojson }},
            style: function(f) { return f.properties._style || {}; },
            pointToLayer: function(f, latlng) {
                var s = f.properties._style || {};
                if (f.properties._badge) {
                    return L.marker(latlng, {
                        icon: L.divIcon({className: 'mob-badge-icon ' + (s.className || ''),
                                         html: f.properties._badge,
                                         iconSize: [28, 28], iconAnchor: [14, 14]}),
                        riseOnHover: true});
                }
                return L.circleMarker(latlng, Object.assign({pane: {{ this.pane|tojson }}}, s));
            },
            onEachFeature: function(f, layer) {
                if (f.properties._tooltip) {
                    layer.bindTooltip(f.properties._tooltip, {sticky: true});
                }
                if (f.properties._popup) {
                    layer.bindPopup(f.properties._popup, {maxWidth: 400, maxHeight: 460});
                }
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], *, name: str, pane: str, show: bool = True,
                 control: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "MobilityGeoJson"
        self.data = data
        self.data_json = _js_json(data)
        self.pane = pane




class _Labels(Layer):
    """Permanent text labels (``[lat, lon, text, css class]``), drawn in the labels pane.

    The text is set as ``textContent`` (never parsed as HTML). Which labels show at which zoom
    is CSS (``mob-zoom-*`` classes set by :class:`_ZoomClasses`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {{ this.labels_json }}.forEach(function(d) {
            var span = document.createElement('span');
            span.textContent = d[2];
            var icon = L.divIcon({className: 'mob-label ' + d[3], html: span,
                                  iconSize: null});
            L.marker([d[0], d[1]], {icon: icon, interactive: false, keyboard: false,
                                    pane: 'mob-labels'}).addTo({{ this.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[tuple[float, float, str, str]], *, name: str,
                 show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "MobilityLabels"
        self.labels = [list(x) for x in labels]
        self.labels_json = _js_json(self.labels)


class _ZoomClasses(MacroElement):
    """Sets ``mob-zoom-low`` (< 8.5), ``mob-zoom-10`` (>= 10) and ``mob-zoom-12`` (>= 11.5)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            function classes() {
                var z = map.getZoom(), c = map.getContainer().classList;
                c.toggle('mob-zoom-low', z < 8.5);
                c.toggle('mob-zoom-10', z >= 10 && z < 11.5);
                c.toggle('mob-zoom-12', z >= 11.5);
            }
            map.on('zoomend', classes);
            classes();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZoomClasses"


class _Scale(MacroElement):
    """A metric scale bar (bottom left, above the attribution's line)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({position: 'bottomleft', metric: true, imperial: false,
                         maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Scale"


class _Search(MacroElement):
    """Search and filter the initiatives by number or name (features with ``id``, ``name``).

    Typing dims every initiative that does not match; Enter zooms to the matches and opens the
    first match's popup. Works offline (plain Leaflet and DOM).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var ctl = L.control({position: 'topleft'});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'mob-box mob-search');
                var input = L.DomUtil.create('input', '', div);
                input.type = 'search';
                input.placeholder = {{ this.placeholder }};
                input.setAttribute('aria-label', {{ this.placeholder }});
                var note = L.DomUtil.create('div', 'mob-note', div);
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                function items() {
                    var out = [];
                    map.eachLayer(function(l) {
                        var p = l.feature && l.feature.properties;
                        if (p && p.id !== undefined && p.name !== undefined) { out.push(l); }
                    });
                    return out;
                }
                function matches(l, q) {
                    var p = l.feature.properties;
                    return q === '' || String(p.id) === q ||
                        String(p.name).toLowerCase().indexOf(q) >= 0;
                }
                function elementOf(l) { return l._path || l._icon; }
                function filter() {
                    var q = input.value.trim().toLowerCase(), ids = {};
                    items().forEach(function(l) {
                        var el = elementOf(l), hit = matches(l, q);
                        if (el) { el.classList.toggle('mob-dim', !hit); }
                        if (hit && q !== '') { ids[l.feature.properties.id] = true; }
                    });
                    var n = Object.keys(ids).length;
                    note.textContent = q === '' ? '' : n + ' ' + {{ this.found }};
                }
                input.addEventListener('input', filter);
                input.addEventListener('keydown', function(e) {
                    if (e.key !== 'Enter') { return; }
                    filter();
                    var q = input.value.trim().toLowerCase(), hits = items().filter(
                        function(l) { return q !== '' && matches(l, q); });
                    if (!hits.length) { return; }
                    var b = L.latLngBounds([]);
                    hits.forEach(function(l) {
                        b.extend(l.getBounds ? l.getBounds() : l.getLatLng());
                    });
                    map.fitBounds(b, {maxZoom: 12, padding: [30, 30]});
                    if (hits[0].openPopup) { hits[0].openPopup(); }
                });
                return div;
            };
            ctl.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "Search"
        self.placeholder = _js_json("Søg indsats (nr. eller navn)" if lang == "da"
                                    else "Search initiative (no. or name)")
        self.found = _js_json("indsatser fundet" if lang == "da" else "initiatives found")


class _Sync(MacroElement):
    """Keep two maps on the same view: panning or zooming one moves the other."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(a, b) {
            var busy = false;
            function follow(src, dst) {
                src.on('move zoomend', function() {
                    if (busy) { return; }
                    busy = true;
                    dst.setView(src.getCenter(), src.getZoom(), {animate: false});
                    busy = false;
                });
            }
            follow(a, b);
            follow(b, a);
            a.getContainer().classList.add('mob-dual');
            b.getContainer().classList.add('mob-dual');
            window.mobilityMaps = [a, b];
        })({{ this.first }}, {{ this.second }});
        {% endmacro %}
        """
    )

    def __init__(self, first: folium.Map, second: folium.Map) -> None:
        super().__init__()
        self._name = "Sync"
        self.first = first.get_name()
        self.second = second.get_name()
