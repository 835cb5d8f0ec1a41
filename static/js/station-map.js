/* The home page map: stations in view (clustered when zoomed out), "find
 * stations near me", and filters kept in the URL. Plain ES2017 without
 * modules, so the WebViews inside WeChat and older Android phones run it.
 * Settings come from the #map-config JSON block; django-leaflet creates the
 * map and calls window.yizhanMapReady(map). */
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('map-config').textContent);
  var text = config.text;
  var form = document.getElementById('filters');
  var list = document.getElementById('results');
  var statusLine = document.getElementById('status');
  var locateButton = document.getElementById('locate');
  var map = null;
  var stationLayer = null;
  var userMarker = null;
  var userPosition = null; // WGS-84 [lat, lng]
  var moveTimer = null;
  var generation = 0; // drops list answers to requests that were overtaken
  var viewGeneration = 0; // the same for the map's features

  // --- Coordinates ---------------------------------------------------------
  // Same published WGS-84 -> GCJ-02 algorithm as stations/geo.py. Amap and
  // Tencent tiles are drawn in GCJ-02, so positions are shifted to match.
  var shifted = config.crs === 'gcj02';
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }
  function shiftLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function shiftLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var radLat = lat / 180 * Math.PI;
    var magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    var dLat = shiftLat(lng - 105, lat - 35) * 180 / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    var dLng = shiftLng(lng - 105, lat - 35) * 180 / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  function toMap(lat, lng) {
    return shifted ? wgsToGcj(lat, lng) : [lat, lng];
  }
  function fromMap(lat, lng) {
    // One step of the inverse: good to a few metres, plenty for a viewport.
    if (!shifted) return [lat, lng];
    var s = wgsToGcj(lat, lng);
    return [lat - (s[0] - lat), lng - (s[1] - lng)];
  }

  // --- Filters in the URL --------------------------------------------------
  function filterParams() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== '') params.append(key, value);
    });
    return params;
  }
  function placeChosen(params) {
    return params.has('city') || params.has('district') || params.has('q');
  }
  function syncUrl(params) {
    var query = params.toString();
    window.history.replaceState(null, '', query ? '?' + query : window.location.pathname);
  }

  function getJSON(url, onDone) {
    var mine = ++generation;
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw body;
          return body;
        });
      })
      .then(function (body) {
        if (mine === generation) onDone(body);
      })
      .catch(function (error) {
        if (mine !== generation) return;
        say(error && typeof error === 'object' && !(error instanceof Error) ? describe(error) : text.failed);
      });
  }
  function describe(errors) {
    return Object.keys(errors).map(function (key) {
      return key + ': ' + [].concat(errors[key]).join(' ');
    }).join(' ');
  }
  function say(message) {
    statusLine.textContent = message || '';
  }

  // --- Building blocks of the page ------------------------------------------
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }
  function stateOf(props) {
    if (props.status === 'suspended') return { cls: 'warn', label: text.suspended };
    return props.open_now ? { cls: 'open', label: text.open } : { cls: 'shut', label: text.closed };
  }
  function distanceText(metres) {
    return metres < 1000 ? Math.round(metres) + ' ' + text.m : (metres / 1000).toFixed(1) + ' ' + text.km;
  }
  function amenityIcons(slugs) {
    var box = el('span', 'icons');
    slugs.forEach(function (slug) {
      var amenity = config.amenities[slug];
      if (!amenity) return;
      var icon = el('span', '', amenity.icon);
      icon.title = amenity.name;
      box.appendChild(icon);
    });
    return box;
  }
  function detailUrl(code) {
    return '/stations/' + encodeURIComponent(code) + '/';
  }

  function popup(code, props) {
    var box = el('div', 'popup');
    box.appendChild(el('strong', '', props.name));
    var state = stateOf(props);
    box.appendChild(el('span', 'badge ' + state.cls, state.label));
    box.appendChild(el('span', 'level', config.levels[String(props.level)] || ''));
    box.appendChild(amenityIcons(props.amenities || []));
    var link = el('a', 'more-link', text.details + ' →');
    link.href = detailUrl(code);
    box.appendChild(link);
    return box;
  }

  function stationMarker(feature) {
    var c = feature.geometry.coordinates;
    var props = feature.properties;
    var state = stateOf(props);
    var icon = L.divIcon({
      className: 'pin ' + state.cls + ' level-' + props.level,
      html: '<span>' + Number(props.level) + '</span>',
      iconSize: [26, 26],
      iconAnchor: [13, 13],
      popupAnchor: [0, -12]
    });
    var marker = L.marker(toMap(c[1], c[0]), { icon: icon, title: props.name, alt: props.name });
    marker.bindPopup(popup(feature.id, props));
    return marker;
  }

  // "12 stations" / "12 个驿站": the translated format from the page, with
  // the English plural rule (Chinese has one form, so both entries match).
  function stationCount(count) {
    var format = count === 1 ? text.stationCount.one : text.stationCount.other;
    return format.replace('%(count)s', String(count));
  }

  function clusterMarker(feature) {
    var c = feature.geometry.coordinates;
    var count = feature.properties.count;
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    var label = count < 10000 ? String(count) : Math.round(count / 1000) + 'k';
    var position = toMap(c[1], c[0]);
    var marker = L.marker(position, {
      icon: L.divIcon({ className: 'cluster', html: '<span>' + label + '</span>', iconSize: [size, size] }),
      title: stationCount(count) + ' · ' + text.zoomIn,
      alt: stationCount(count)
    });
    marker.on('click', function () {
      map.setView(position, Math.min(map.getZoom() + 3, map.getMaxZoom()));
    });
    return marker;
  }

  function renderList(stations, withDistance) {
    list.textContent = '';
    if (!stations.length) {
      list.appendChild(el('li', 'empty', text.none));
      return;
    }
    stations.forEach(function (station) {
      var item = el('li', 'station' + (station.open_now ? '' : ' is-closed'));
      var link = el('a');
      link.href = detailUrl(station.code);
      link.appendChild(el('strong', '', station.name));
      item.appendChild(link);
      if (withDistance) item.appendChild(el('span', 'distance', distanceText(station.distance_m)));
      var state = stateOf(station);
      item.appendChild(el('span', 'badge ' + state.cls, state.label));
      item.appendChild(el('span', 'level', station.level_label));
      item.appendChild(el('span', 'addr', station.address));
      item.appendChild(amenityIcons(station.amenities.map(function (a) { return a.slug; })));
      list.appendChild(item);
    });
  }

  // --- Loading -------------------------------------------------------------
  function loadView() {
    if (!map) return;
    var bounds = map.getBounds();
    var sw = fromMap(bounds.getSouth(), bounds.getWest());
    var ne = fromMap(bounds.getNorth(), bounds.getEast());
    var clamp = function (value, limit) { return Math.max(-limit, Math.min(limit, value)); };
    var params = filterParams();
    ['city', 'district', 'q'].forEach(function (key) { params.delete(key); });
    params.set('bbox', [clamp(sw[1], 180), clamp(sw[0], 90), clamp(ne[1], 180), clamp(ne[0], 90)]
      .map(function (n) { return n.toFixed(5); }).join(','));
    params.set('zoom', String(map.getZoom()));
    var url = config.geojsonUrl + '?' + params.toString();
    var mine = ++viewGeneration;
    fetch(url, { headers: { Accept: 'application/geo+json' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection || mine !== viewGeneration) return;
        stationLayer.clearLayers();
        collection.features.forEach(function (feature) {
          stationLayer.addLayer(feature.properties.cluster ? clusterMarker(feature) : stationMarker(feature));
        });
        document.body.setAttribute('data-map-features', String(collection.features.length));
      })
      .catch(function () { say(text.failed); });
  }

  function loadList() {
    var params = filterParams();
    syncUrl(params);
    if (userPosition) {
      params.set('lat', userPosition[0].toFixed(6));
      params.set('lng', userPosition[1].toFixed(6));
      params.set('radius', String(config.nearbyRadius));
      params.set('limit', String(config.nearbyLimit));
      getJSON(config.nearbyUrl + '?' + params.toString(), function (stations) {
        say('');
        renderList(stations, true);
      });
    } else if (placeChosen(params)) {
      params.set('page_size', '20');
      getJSON(config.listUrl + '?' + params.toString(), function (page) {
        say('');
        renderList(page.results, false);
        fitTo(page.results);
      });
    }
  }

  function fitTo(stations) {
    if (!map || !stations.length) return;
    var points = stations.map(function (s) { return toMap(s.latitude, s.longitude); });
    map.fitBounds(L.latLngBounds(points), { maxZoom: 15, padding: [24, 24] });
  }

  function refresh() {
    loadList();
    loadView();
  }

  // --- Locate me -----------------------------------------------------------
  function locate() {
    if (!navigator.geolocation || window.isSecureContext === false) {
      fallBack();
      return;
    }
    say(text.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      say('');
      userPosition = [position.coords.latitude, position.coords.longitude];
      var here = toMap(userPosition[0], userPosition[1]);
      if (map) {
        if (userMarker) userMarker.setLatLng(here);
        else userMarker = L.circleMarker(here, { radius: 9, color: '#fff', weight: 3, fillColor: '#1a73e8', fillOpacity: 1 })
          .bindTooltip(text.you).addTo(map);
        map.setView(here, 15);
      }
      loadList();
    }, fallBack, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  function fallBack() {
    say(text.denied);
    var place = form.querySelector('select[name="city"]');
    if (place) place.focus();
  }

  // --- Wiring --------------------------------------------------------------
  window.yizhanMapReady = function (leafletMap) {
    map = leafletMap;
    // Tiles that cannot load (offline, intranet without a tile server) must
    // not break the page: markers and lists work on a blank background.
    map.eachLayer(function (layer) {
      if (layer.on && layer.getTileUrl) layer.on('tileerror', function () { document.body.classList.add('tiles-failed'); });
    });
    stationLayer = L.layerGroup().addTo(map);
    map.on('moveend', function () {
      clearTimeout(moveTimer);
      moveTimer = setTimeout(loadView, 250);
    });
    loadView();
    if (placeChosen(filterParams())) loadList();
  };

  form.addEventListener('change', refresh);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    userPosition = null;
    refresh();
  });
  locateButton.addEventListener('click', locate);

  // Located before and allowed: go straight to the nearest stations.
  if (navigator.permissions && navigator.permissions.query && window.isSecureContext !== false) {
    navigator.permissions.query({ name: 'geolocation' }).then(function (result) {
      if (result.state === 'granted') locate();
    }).catch(function () {});
  }
})();
