/* The location picker of the initiative forms: a small map under the latitude and longitude
 * fields. Clicking the map or dragging the marker writes both fields (6 decimals, what the
 * database keeps); typing valid values moves the marker. The fields remain the accessible way
 * in: the marker is not a tab stop and the map only pans with the keyboard. Everything comes
 * from data-* attributes (CSP: no inline script). Without JavaScript the map stays hidden. */
(function () {
  "use strict";

  var EUROPE = [[35.5, -11.5], [70.5, 34.5]];
  var PAN_LIMIT = [[20, -50], [84, 95]];
  var CLOSE_ZOOM = 7;

  /* The server accepts a decimal comma too (campaign.services). */
  function parseCoordinate(value, limit) {
    var text = String(value || "").trim().replace(",", ".");
    if (!/^[+-]?\d+(\.\d+)?$/.test(text)) return null;
    var number = Number(text);
    return Math.abs(number) <= limit ? number : null;
  }

  function typedPosition(latitudeInput, longitudeInput) {
    var latitude = parseCoordinate(latitudeInput.value, 90);
    var longitude = parseCoordinate(longitudeInput.value, 180);
    return latitude === null || longitude === null ? null : L.latLng(latitude, longitude);
  }

  function start(element) {
    var box = element.closest("[data-location-picker-map-box]");
    var form = element.closest("[data-location-picker]");
    var latitudeInput = form && form.querySelector("[data-map-latitude]");
    var longitudeInput = form && form.querySelector("[data-map-longitude]");
    if (!latitudeInput || !longitudeInput) return;
    var data = element.dataset;
    box.hidden = false;

    var map = L.map(element, {
      zoomSnap: 0.5,
      minZoom: 2,
      maxZoom: 16,
      maxBounds: PAN_LIMIT,
      maxBoundsViscosity: 0.8,
      scrollWheelZoom: false,
      zoomControl: false,
    });
    L.control.zoom({ zoomInTitle: data.labelZoomIn, zoomOutTitle: data.labelZoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);

    var marker = null;

    function placeMarker(position) {
      if (marker) {
        marker.setLatLng(position);
        return;
      }
      /* keyboard: false — no tab stop that only repeats what the fields already offer. */
      marker = L.marker(position, {
        draggable: true,
        keyboard: false,
        title: data.labelMarker,
        alt: data.labelMarker,
      }).addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    }

    function fill(position) {
      var wrapped = position.wrap();
      latitudeInput.value = wrapped.lat.toFixed(6);
      longitudeInput.value = wrapped.lng.toFixed(6);
      placeMarker(wrapped);
      [latitudeInput, longitudeInput].forEach(function (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }

    function followFields() {
      var position = typedPosition(latitudeInput, longitudeInput);
      if (!position) return;
      placeMarker(position);
      if (!map.getBounds().contains(position)) map.panTo(position);
    }

    var initial = typedPosition(latitudeInput, longitudeInput);
    if (initial) {
      map.setView(initial, CLOSE_ZOOM);
      placeMarker(initial);
    } else {
      map.fitBounds(EUROPE);
    }

    map.on("click", function (event) { fill(event.latlng); });
    latitudeInput.addEventListener("input", followFields);
    longitudeInput.addEventListener("input", followFields);

    fetch(data.countriesUrl)
      .then(function (response) {
        if (!response.ok) throw new Error(response.statusText);
        return response.json();
      })
      .then(function (geojson) {
        L.geoJSON(geojson, { interactive: false, className: "map-country" }).addTo(map);
        map.attributionControl.addAttribution(data.outlinesAttribution);
        element.dataset.ready = "true";
      })
      .catch(function () {
        element.dataset.ready = "error";
        var message = document.getElementById(data.errorId);
        if (message) message.hidden = false;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) return;
    document.querySelectorAll("[data-location-picker-map]").forEach(start);
  });
})();
