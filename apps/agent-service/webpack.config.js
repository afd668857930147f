// See tools/webpack/service-webpack-config.cjs: one bundle per service, npm packages external.
const { serviceWebpackConfig } = require('../../tools/webpack/service-webpack-config.cjs');

module.exports = serviceWebpackConfig(__dirname);
