/* Station editor: bind the Leaflet location map to the latitude/longitude inputs.
 *
 * django-leaflet draws the map ({% leaflet_map %}) and announces it with a
 * "map:init" event; the widget's container says, in data attributes, which
 * inputs to drive. Click the map or drag the marker to write the inputs
 * (rounded to the 6 decimals stored); typing in them moves the marker.
 * Until a point is set, choosing a district centres the map on it (its
 * <option> carries the centre in data attributes).
 */
(function () {
  "use strict";

  var DECIMALS = 6;
  var ZOOM_ON_POINT = 16;
  var ZOOM_ON_DISTRICT = 13;

  function pointFrom(latInput, lngInput) {
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return L.latLng(lat, lng);
  }

  function bind(container, map) {
    var latInput = document.getElementById(container.dataset.latitudeInput);
    var lngInput = document.getElementById(container.dataset.longitudeInput);
    var readout = container.querySelector("[data-location-readout]");
    if (!latInput || !lngInput) {
      return;
    }
    var marker = null;

    function show(latlng) {
      if (readout) {
        readout.textContent = latlng.lat.toFixed(DECIMALS) + ", " + latlng.lng.toFixed(DECIMALS);
      }
    }

    function write(latlng) {
      var point = latlng.wrap();
      latInput.value = point.lat.toFixed(DECIMALS);
      lngInput.value = point.lng.toFixed(DECIMALS);
      // Let other scripts (and the browser's "unsaved changes" logic) see it.
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
      lngInput.dispatchEvent(new Event("change", { bubbles: true }));
      show(point);
    }

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { draggable: true, title: container.dataset.markerTitle || "" });
        marker.on("dragend", function () { write(marker.getLatLng()); });
        marker.addTo(map);
      }
      show(latlng);
    }

    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });

    function fromInputs() {
      var point = pointFrom(latInput, lngInput);
      if (point) {
        place(point);
        map.panTo(point);
      }
    }
    latInput.addEventListener("input", fromInputs);
    lngInput.addEventListener("input", fromInputs);

    var district = container.dataset.districtInput && document.getElementById(container.dataset.districtInput);
    function centreOnDistrict() {
      var option = district.options[district.selectedIndex];
      if (marker || !option || !option.dataset.latitude) {
        return;
      }
      map.setView(L.latLng(parseFloat(option.dataset.latitude), parseFloat(option.dataset.longitude)),
                  ZOOM_ON_DISTRICT);
    }

    var initial = pointFrom(latInput, lngInput);
    if (initial) {
      place(initial);
      map.setView(initial, Math.max(map.getZoom(), ZOOM_ON_POINT));
    }
    if (district) {
      district.addEventListener("change", centreOnDistrict);
      centreOnDistrict();
    }
    container.dataset.ready = "true";
  }

  window.addEventListener("map:init", function (event) {
    var detail = event.detail || {};
    var containers = document.querySelectorAll("[data-location-picker]");
    for (var i = 0; i < containers.length; i++) {
      if (containers[i].dataset.mapName === detail.id) {
        bind(containers[i], detail.map);
      }
    }
  });
})();
