module.exports = {"0001":{"name":"x"}};
