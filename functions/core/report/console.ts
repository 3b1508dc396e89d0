/** Links from the report to the AWS console pages of a group and an instance, in the fleet's own region and partition. */

export interface ConsoleLinks {
  readonly group: (name: string) => string;
  readonly instance: (id: string) => string;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** A region name that is not an AWS region: it would make every link of the report lead nowhere. */
export class ConsoleRegionError extends RangeError {
  override readonly name = 'ConsoleRegionError';

  constructor(readonly region: string) {
    super(`region ${JSON.stringify(region)} is not valid for console links: expected an AWS region such as eu-west-1`);
  }
}

/** Every character outside the unreserved set percent-encoded, so a name cannot end a Markdown link or leave an attribute. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

export function consoleLinks(region: string): ConsoleLinks {
  if (!REGION.test(region)) throw new ConsoleRegionError(region);
  const ec2 = `${consoleOrigin(region)}/ec2/home?region=${region}`;
  return {
    group: (name) => `${ec2}#AutoScalingGroupDetails:id=${strictEncode(name)};view=details`,
    instance: (id) => `${ec2}#InstanceDetails:instanceId=${strictEncode(id)}`,
  };
}
