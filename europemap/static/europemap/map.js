/* The Badge Europe map: country outlines shipped with the site, initiatives from the open-data
 * GeoJSON, clustered. Everything it needs comes from data-* attributes of the map element, so
 * the page has no inline script (CSP). Without JavaScript the page offers the list view. */
(function () {
  "use strict";

  var EUROPE = [[35.5, -11.5], [70.5, 34.5]];
  /* The outlines are cut a little outside these bounds (europemap/data/build_countries.py). */
  var PAN_LIMIT = [[20, -50], [84, 95]];

  function text(tag, className, value) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  }

  function formatNumber(value, locale) {
    try {
      return Number(value).toLocaleString(locale);
    } catch (error) {
      return String(value);
    }
  }

  /* Popup built from DOM nodes, never from HTML strings: names come from the public. */
  function popupContent(properties, labels, locale) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("a");
    title.className = "map-popup__title";
    title.href = properties.url;
    title.textContent = properties.name;
    if (labels.target) {
      title.target = labels.target;
      title.rel = "noopener";
    }
    box.appendChild(title);
    var country = labels.countries[properties.country] || properties.country;
    var kind = labels.kinds[properties.kind] || properties.kind;
    var place = [properties.city, country].filter(Boolean).join(", ");
    box.appendChild(text("p", "map-popup__meta", [kind, place].filter(Boolean).join(" · ")));
    box.appendChild(
      text(
        "p",
        "map-popup__figures",
        labels.committedAchieved
          .replace("%(committed)s", formatNumber(properties.committed, locale))
          .replace("%(achieved)s", formatNumber(properties.achieved, locale))
      )
    );
    return box;
  }

  function parseLabels(value) {
    try {
      return JSON.parse(value || "{}");
    } catch (error) {
      return {};
    }
  }

  function pinIcon(properties) {
    return L.divIcon({
      className: "map-pin map-pin--" + properties.kind,
      html: "",
      iconSize: [18, 18],
      iconAnchor: [9, 9],
      popupAnchor: [0, -8],
    });
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      className: "map-cluster map-cluster--" + size,
      html: "<span>" + count + "</span>",
      iconSize: size === "small" ? [32, 32] : size === "medium" ? [38, 38] : [46, 46],
    });
  }

  /* Leaflet gives marker icons role="button" and a tab stop; axe (and screen readers) need
   * a name for each, which divIcons do not carry. */
  function nameIcon(layer, labels) {
    var icon = layer._icon;
    if (!icon) return;
    if (layer.getChildCount) {
      icon.setAttribute("aria-label", labels.cluster.replace("%(count)s", layer.getChildCount()));
    } else if (layer.feature) {
      icon.setAttribute("aria-label", layer.feature.properties.name);
    }
  }

  function start(element) {
    var data = element.dataset;
    var labels = {
      committedAchieved: data.labelCommittedAchieved,
      cluster: data.labelCluster,
      target: data.linkTarget || "",
      kinds: parseLabels(data.kindLabels),
      countries: parseLabels(data.countryNames),
    };
    var mini = data.mode === "mini";
    var map = L.map(element, {
      zoomSnap: 0.25,
      minZoom: 3,
      maxBounds: PAN_LIMIT,
      maxBoundsViscosity: 0.8,
      maxZoom: 16,
      zoomControl: !mini,
      scrollWheelZoom: !mini,
      attributionControl: true,
    });
    map.attributionControl.setPrefix(false);
    map.fitBounds(EUROPE);

    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map);
      element.classList.add("europe-map--tiles");
    }

    var outlines = fetch(data.countriesUrl)
      .then(function (response) { return response.json(); })
      .then(function (geojson) {
        if (!data.tileUrl) {
          L.geoJSON(geojson, { interactive: false, className: "map-country" }).addTo(map);
        }
        map.attributionControl.addAttribution(data.outlinesAttribution);
      });

    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: mini ? 60 : 50,
      iconCreateFunction: clusterIcon,
    });
    // Pins and cluster icons alike reach the map through addLayer.
    map.on("layeradd", function (event) { nameIcon(event.layer, labels); });

    var points = fetch(data.initiativesUrl)
      .then(function (response) { return response.json(); })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            return L.marker(latlng, {
              icon: pinIcon(feature.properties),
              title: feature.properties.name,
              alt: feature.properties.name,
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(function () {
              return popupContent(feature.properties, labels, data.locale);
            });
          },
        });
        clusters.addLayers(layer.getLayers());
        map.addLayer(clusters);
        element.dataset.markers = String(collection.features.length);
        if (data.fit === "markers" && collection.features.length) {
          map.fitBounds(clusters.getBounds().pad(0.2), { maxZoom: 9 });
        }
      });

    Promise.all([outlines, points])
      .then(function () {
        element.dataset.ready = "true";
        map.fire("moveend");
      })
      .catch(function () {
        element.dataset.ready = "error";
        var message = document.getElementById(data.errorId);
        if (message) message.hidden = false;
      });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copyTarget);
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.dataset.copiedLabel;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    if (!window.L) return;
    document.querySelectorAll("[data-europe-map]").forEach(start);
  });
})();
